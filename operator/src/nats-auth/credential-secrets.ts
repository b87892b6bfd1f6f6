// Credentials as Secrets: one per Stream (owned by it, mounted by its ingest pod), one for the
// push-listener, one read-only per namespace. A Secret is rewritten only when the permissions it
// should carry or the signing account changed, so pods keep their credential across reconciles.
import { createHash } from 'node:crypto';
import type { V1OwnerReference, V1Secret } from '@kubernetes/client-node';
import type { NatsIdentity } from '@tributary/crds';
import { natsPermissions } from '@tributary/crds';
import { isNotFound, type KubeApi } from '../kube/api-client.js';
import { MANAGED_BY_LABEL } from '../kube/owned-secret.js';
import { objectPath, SECRETS } from '../kube/resources.js';
import { FIELD_MANAGER } from '../kube/writes.js';
import type { NatsAuthority } from './authority.js';
import { CA_KEY, CREDS_KEY } from './secret-keys.js';
/** Fingerprint of what a credential Secret was minted for: permissions, issuer, CA and owner. */
export const ANNOTATION_NATS_GRANT = 'tributary.io/nats-grant';

export interface CredentialTarget {
  namespace: string;
  name: string;
  identity: NatsIdentity;
  owner?: V1OwnerReference | undefined;
}

/** Thrown when a Secret of that name exists and is someone else's. */
export class ForeignSecretError extends Error {}

export class CredentialSecrets {
  readonly #api: KubeApi;
  readonly #authority: NatsAuthority;
  /** `<ns>/<name>` -> the grant fingerprint known to be in the Secret. */
  readonly #current = new Map<string, string>();

  readonly #ca: string | undefined;

  /** `ca`: the NATS server's CA certificate (PEM), written beside each credential. */
  constructor(api: KubeApi, authority: NatsAuthority, ca?: string) {
    this.#api = api;
    this.#authority = authority;
    this.#ca = ca;
  }

  /** Makes sure the Secret holds a credential for the target's identity; true when it was (re)written. */
  async ensure(target: CredentialTarget): Promise<boolean> {
    const key = `${target.namespace}/${target.name}`;
    const permissions = natsPermissions(this.#authority.subjectPrefix, target.identity);
    const grant = createHash('sha256')
      .update(
        // The owner too: a Stream deleted and created again under its name gets its Secret back
        // (owned by the new uid) before the garbage collector removes the old one.
        JSON.stringify({
          permissions,
          issuer: this.#authority.account,
          ca: this.#ca,
          owner: target.owner?.uid,
        }),
      )
      .digest('hex')
      .slice(0, 16);
    if (this.#current.get(key) === grant) return false;
    const path = objectPath(SECRETS, target.namespace, target.name);
    let existing: V1Secret | undefined;
    try {
      existing = await this.#api.get<V1Secret>(path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (existing) {
      const labels = existing.metadata?.labels ?? {};
      if (labels['app.kubernetes.io/managed-by'] !== MANAGED_BY_LABEL['app.kubernetes.io/managed-by'])
        throw new ForeignSecretError(
          `Secret ${key} exists and is not managed by tributary-operator; rename or delete it so the NATS credential can be written`,
        );
      if (existing.metadata?.annotations?.[ANNOTATION_NATS_GRANT] === grant) {
        this.#current.set(key, grant);
        return false;
      }
    }
    const { creds } = await this.#authority.mint(target.identity, target.name);
    const secret: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: target.name,
        namespace: target.namespace,
        labels: { ...MANAGED_BY_LABEL },
        annotations: { [ANNOTATION_NATS_GRANT]: grant },
        ...(target.owner && { ownerReferences: [target.owner] }),
      },
      type: 'Opaque',
      data: {
        [CREDS_KEY]: Buffer.from(creds).toString('base64'),
        ...(this.#ca !== undefined && { [CA_KEY]: Buffer.from(this.#ca).toString('base64') }),
      },
    };
    await this.#api.request('PATCH', path, {
      query: { fieldManager: FIELD_MANAGER, force: true },
      body: secret,
      contentType: 'application/apply-patch+yaml',
    });
    this.#current.set(key, grant);
    return true;
  }

  /** Forget what was written (a new leadership term checks every Secret again). */
  reset(): void {
    this.#current.clear();
  }

  forget(namespace: string, name: string): void {
    this.#current.delete(`${namespace}/${name}`);
  }
}
