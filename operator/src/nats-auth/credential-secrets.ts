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
import {
  type CredentialLedger,
  type IssuedUser,
  recordFound,
  recordIssued,
  renewalDue,
} from './credential-ledger.js';
import { CA_KEY, CREDS_KEY } from './secret-keys.js';
/** Fingerprint of what a credential Secret was minted for: permissions, issuer, CA and owner. */
export const ANNOTATION_NATS_GRANT = 'tributary.io/nats-grant';

export interface CredentialTarget {
  namespace: string;
  name: string;
  identity: NatsIdentity;
  owner?: V1OwnerReference | undefined;
  /** The Stream a Stream's Secret belongs to (found again should it be deleted while no operator runs). */
  stream?: string | undefined;
}

/** Where issued and revoked keys are recorded; `change` returns or mutates, the writer persists. */
export interface LedgerWriter {
  record(change: (ledger: CredentialLedger) => unknown): Promise<void>;
}

/** The user key and expiry of the credential in a Secret, read from its JWT's claims. */
export function issuedUser(secret: V1Secret): IssuedUser | undefined {
  const text = secret.data?.[CREDS_KEY];
  if (text === undefined) return undefined;
  const jwt = /-----BEGIN NATS USER JWT-----\s*([A-Za-z0-9_.-]+)/.exec(
    Buffer.from(text, 'base64').toString('utf8'),
  )?.[1];
  try {
    const claims = JSON.parse(Buffer.from(jwt?.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
      exp?: unknown;
    };
    if (typeof claims.sub !== 'string') return undefined;
    return { user: claims.sub, expires: typeof claims.exp === 'number' ? claims.exp : undefined };
  } catch {
    return undefined;
  }
}

/** Thrown when a Secret of that name exists and is someone else's. */
export class ForeignSecretError extends Error {}

export class CredentialSecrets {
  readonly #api: KubeApi;
  readonly #authority: NatsAuthority;
  /** `<ns>/<name>` -> the grant fingerprint known to be in the Secret. */
  readonly #current = new Map<string, { grant: string; expires: number | undefined }>();
  readonly #ledger: LedgerWriter;
  readonly #lifetimeSec: number;
  readonly #regrantGraceSec: number;
  readonly #ca: string | undefined;
  readonly #now: () => number;

  /** `ca`: the NATS server's CA certificate (PEM), written beside each credential. */
  constructor(options: {
    api: KubeApi;
    authority: NatsAuthority;
    ledger: LedgerWriter;
    lifetimeSec: number;
    /** How long a key replaced by a new grant of the same owner stays valid. */
    regrantGraceSec: number;
    ca?: string | undefined;
    now?: () => number;
  }) {
    this.#api = options.api;
    this.#authority = options.authority;
    this.#ledger = options.ledger;
    this.#lifetimeSec = options.lifetimeSec;
    this.#regrantGraceSec = options.regrantGraceSec;
    this.#ca = options.ca;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Makes sure the Secret holds an unexpired credential for the target's identity; true when it
   * was (re)written. A new grant revokes the keys written before (after a grace, for the same
   * owner); a renewal leaves them to expire.
   */
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
    const nowSec = Math.floor(this.#now() / 1000);
    const known = this.#current.get(key);
    if (known?.grant === grant && !renewalDue(known.expires, this.#lifetimeSec, nowSec)) return false;
    const path = objectPath(SECRETS, target.namespace, target.name);
    let existing: V1Secret | undefined;
    try {
      existing = await this.#api.get<V1Secret>(path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const meta = { stream: target.stream, owner: target.owner?.uid };
    let replaces: 'regrant' | 'renew' = 'regrant';
    if (existing) {
      const labels = existing.metadata?.labels ?? {};
      if (labels['app.kubernetes.io/managed-by'] !== MANAGED_BY_LABEL['app.kubernetes.io/managed-by'])
        throw new ForeignSecretError(
          `Secret ${key} exists and is not managed by tributary-operator; rename or delete it so the NATS credential can be written`,
        );
      const found = issuedUser(existing);
      if (found) {
        // Known to the ledger before anything else: a key the ledger does not know cannot be revoked.
        const owner = existing.metadata?.ownerReferences?.[0]?.uid;
        await this.#ledger.record((ledger) =>
          recordFound(ledger, key, { stream: target.stream, owner }, found),
        );
        if (existing.metadata?.annotations?.[ANNOTATION_NATS_GRANT] === grant) {
          if (!renewalDue(found.expires, this.#lifetimeSec, nowSec)) {
            this.#current.set(key, { grant, expires: found.expires });
            return false;
          }
          replaces = 'renew';
        }
      }
    }
    const minted = await this.#authority.mint(target.identity, target.name, this.#lifetimeSec);
    // The ledger first: a crash before the Secret is written leaves a known key nobody holds.
    await this.#ledger.record((ledger) =>
      recordIssued(
        ledger,
        key,
        meta,
        { user: minted.user, expires: minted.expires },
        replaces,
        nowSec,
        this.#regrantGraceSec,
      ),
    );
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
        [CREDS_KEY]: Buffer.from(minted.creds).toString('base64'),
        ...(this.#ca !== undefined && { [CA_KEY]: Buffer.from(this.#ca).toString('base64') }),
      },
    };
    await this.#api.request('PATCH', path, {
      query: { fieldManager: FIELD_MANAGER, force: true },
      body: secret,
      contentType: 'application/apply-patch+yaml',
    });
    this.#current.set(key, { grant, expires: minted.expires });
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
