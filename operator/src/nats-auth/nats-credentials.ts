// The operator's side of NATS authorization at run time: load (or create) the authority, mint the
// operator's own credential, and keep the push-listener's, each Stream's and each namespace's
// reader credential Secret written.
import { readFile } from 'node:fs/promises';
import type { Stream } from '@tributary/crds';
import { API_VERSION, type CopySource, STREAM } from '@tributary/crds';
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/api-client.js';
import type { NatsAuthOptions } from '../options.js';
import type { CredentialSecrets } from './credential-secrets.js';
import { streamIdentity } from './stream-identity.js';

export class NatsCredentials {
  readonly #api: KubeApi;
  readonly #options: NatsAuthOptions;
  readonly #subjectPrefix: string;
  readonly #log: Logger;
  #secrets: CredentialSecrets | undefined;
  #operatorCreds: Uint8Array | undefined;

  constructor(api: KubeApi, options: NatsAuthOptions, subjectPrefix: string, log: Logger) {
    this.#api = api;
    this.#options = options;
    this.#subjectPrefix = subjectPrefix;
    this.#log = log.child({ component: 'nats-auth' });
  }

  /** Loads the authority (creating it on first start), mints the operator's credential and writes the push-listener's. */
  async load(): Promise<void> {
    const { secret, namespace, pushListenerSecret, caFile } = this.#options;
    // Imported here: an operator without NATS authorization never loads the JWT libraries.
    const [{ loadOrCreateAuthority }, { CredentialSecrets }] = await Promise.all([
      import('./authority-secret.js'),
      import('./credential-secrets.js'),
    ]);
    const authority = await loadOrCreateAuthority(
      this.#api,
      namespace,
      secret,
      this.#subjectPrefix,
      this.#log,
    );
    const own = await authority.mint({ kind: 'operator' }, 'tributary-operator');
    this.#operatorCreds = new TextEncoder().encode(own.creds);
    const ca = caFile === undefined ? undefined : await readFile(caFile, 'utf8');
    this.#secrets = new CredentialSecrets(this.#api, authority, ca);
    if (pushListenerSecret)
      await this.#secrets.ensure({
        namespace,
        name: pushListenerSecret,
        identity: { kind: 'push-listener' },
      });
  }

  /** The operator's own `.creds` content (after load). */
  operatorCreds(): Uint8Array {
    if (!this.#operatorCreds) throw new Error('NATS credentials used before they were loaded');
    return this.#operatorCreds;
  }

  /** The Stream's own credential Secret (owned by it) and its namespace's reader Secret. */
  /** `copyFrom`: what the Stream's copy:// inputs read (the operator resolves the upstreams' rungs). */
  async ensureStream(stream: Stream, secretName: string, copyFrom?: readonly CopySource[]): Promise<void> {
    const secrets = this.#secrets;
    if (!secrets) throw new Error('NATS credentials used before they were loaded');
    const { name, namespace = '', uid = '' } = stream.metadata;
    const written = await secrets.ensure({
      namespace,
      name: secretName,
      identity: streamIdentity(stream, copyFrom),
      owner: {
        apiVersion: API_VERSION,
        kind: STREAM.kind,
        name,
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    });
    if (written) this.#log.info({ namespace, secret: secretName }, 'wrote the NATS credential of a Stream');
    await secrets.ensure({
      namespace,
      name: this.#options.readerSecret,
      identity: { kind: 'reader', namespace },
    });
  }

  /** A deleted Stream: its Secret goes with it (owner reference). */
  forgetStream(namespace: string, secretName: string): void {
    this.#secrets?.forget(namespace, secretName);
  }

  /** A new leadership term checks every Secret again. */
  reset(): void {
    this.#secrets?.reset();
  }
}
