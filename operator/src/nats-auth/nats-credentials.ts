// The operator's side of NATS authorization at run time: load (or create) the authority, mint the
// operator's own credential, keep the push-listener's, the buffer's, each Stream's and each
// namespace's reader credential Secret written, and (while leading) revoke the keys of deleted
// Streams and replaced credentials, telling nats-server at once.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stream } from '@tributary/crds';
import { API_VERSION, type CopySource, STREAM } from '@tributary/crds';
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/api-client.js';
import type { NatsAuthority } from './authority.js';
import type { ClaimsPusher } from './claims-pusher.js';
import type { CredentialLedger } from './credential-ledger.js';
import type { CredentialSecrets } from './credential-secrets.js';
import type { LedgerSecret } from './ledger-secret.js';
import { streamIdentity } from './stream-identity.js';

export interface NatsAuthOptions {
  secret: string;
  namespace: string;
  /** Secret (in `namespace`) to write the push-listener's credential to. */
  pushListenerSecret?: string | undefined;
  /** Secret (in `namespace`) to write the buffer's credential to; `namespaces` empty: every namespace. */
  buffer?: { secret: string; namespaces: readonly string[] } | undefined;
  /** Secret written in every namespace with Streams: a read-only credential for its subjects. */
  readerSecret: string;
  /** CA certificate (PEM) of a TLS-enabled NATS, copied into every credential Secret for the pods. */
  caFile?: string | undefined;
}

/** How long a minted credential is valid (renewed when a third is left): bounds the revocation list. */
export const DEFAULT_CREDENTIAL_LIFETIME_SEC = 90 * 24 * 3600;
/** How long a key replaced by a new grant (same owner) stays valid: the kubelet refreshes the pod's file. */
export const REGRANT_GRACE_SEC = 300;
/** How often a leader checks for replaced keys whose grace has passed. */
const REVOKE_DUE_CHECK_MS = 30_000;
/** Pause before a revocation that could not be written is tried again. */
const REVOKE_RETRY_MS = 2_000;

/** `<namespace>/<stream>` -> the Stream's uid; null: no such Stream; undefined: a namespace not watched. */
export type StreamUids = (namespace: string, stream: string) => string | null | undefined;

export class NatsCredentials {
  readonly #api: KubeApi;
  readonly #options: NatsAuthOptions;
  readonly #subjectPrefix: string;
  readonly #log: Logger;
  readonly #natsUrl: string | undefined;
  readonly #lifetimeSec: number;
  #secrets: CredentialSecrets | undefined;
  #operatorCreds: Uint8Array | undefined;
  #authority: NatsAuthority | undefined;
  #ledgerSecret: LedgerSecret | undefined;
  /** The ledger as last read or written. */
  #ledger: CredentialLedger | undefined;
  /** Ledger writes, one at a time, so the JWT sent last is built from the ledger written last. */
  #writes: Promise<unknown> = Promise.resolve();
  #pusher: ClaimsPusher | undefined;
  #revokeDueTimer: NodeJS.Timeout | undefined;
  #term = 0;

  /** `natsUrl`: where to send revocations (none: they reach the server only through auth.conf). */
  constructor(
    api: KubeApi,
    options: NatsAuthOptions,
    subjectPrefix: string,
    log: Logger,
    natsUrl?: string,
    lifetimeSec = DEFAULT_CREDENTIAL_LIFETIME_SEC,
  ) {
    this.#api = api;
    this.#options = options;
    this.#subjectPrefix = subjectPrefix;
    this.#log = log.child({ component: 'nats-auth' });
    this.#natsUrl = natsUrl;
    this.#lifetimeSec = lifetimeSec;
  }

  /** Loads the authority (creating it on first start), mints the operator's credential, writes the push-listener's and the buffer's. */
  async load(): Promise<void> {
    const { secret, namespace, pushListenerSecret, buffer, caFile } = this.#options;
    // Imported here: an operator without NATS authorization never loads the JWT libraries.
    const [{ loadOrCreateAuthority }, { CredentialSecrets }, { LedgerSecret }] = await Promise.all([
      import('./authority-secret.js'),
      import('./credential-secrets.js'),
      import('./ledger-secret.js'),
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
    this.#authority = authority;
    this.#ledgerSecret = new LedgerSecret(this.#api, namespace, secret, authority);
    this.#ledger = await this.#ledgerSecret.read();
    if (await this.#ledgerSecret.upgradeServerConfig())
      this.#log.warn(
        { secret: `${namespace}/${secret}` },
        'rewrote auth.conf so the operator may send revocations to NATS; restart a NATS that runs an older auth.conf once',
      );
    this.#secrets = new CredentialSecrets({
      api: this.#api,
      authority,
      ledger: { record: (change) => this.#record(change) },
      lifetimeSec: this.#lifetimeSec,
      regrantGraceSec: REGRANT_GRACE_SEC,
      ca,
    });
    if (pushListenerSecret)
      await this.#secrets.ensure({
        namespace,
        name: pushListenerSecret,
        identity: { kind: 'push-listener' },
      });
    if (buffer)
      await this.#secrets.ensure({
        namespace,
        name: buffer.secret,
        identity: { kind: 'buffer', namespaces: buffer.namespaces },
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
      stream: name,
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

  /**
   * A deleted Stream: its Secret goes with it (owner reference), and the keys issued into it are
   * revoked in the background (retried until written, or until this term ends: the next term's
   * sweep finds them).
   */
  forgetStream(namespace: string, secretName: string): void {
    this.#secrets?.forget(namespace, secretName);
    const key = `${namespace}/${secretName}`;
    const users = this.#ledger?.issued[key]?.users.map((u) => u.user) ?? [];
    if (users.length === 0) return;
    const term = this.#term;
    void (async () => {
      while (term === this.#term) {
        try {
          await this.#revoke(key, users);
          this.#log.info(
            { namespace, secret: secretName },
            'revoked the NATS credential of a deleted Stream',
          );
          return;
        } catch (error) {
          this.#log.warn(
            { err: error, namespace, secret: secretName, retryInMs: REVOKE_RETRY_MS },
            'could not revoke the NATS credential of a deleted Stream; retrying',
          );
          await sleep(REVOKE_RETRY_MS);
        }
      }
    })();
  }

  /**
   * A new leadership term: reads the ledger back, revokes the keys of Streams deleted while no
   * operator led, and keeps nats-server's copy of the account JWT current until the term ends.
   */
  async startTerm(streamUids: StreamUids): Promise<void> {
    // Never rejects: reconciling must start even when revocations cannot be sent.
    await this.#startTerm(streamUids).catch((error: unknown) =>
      this.#log.error({ err: error }, 'could not start sending NATS revocations this term'),
    );
  }

  async #startTerm(streamUids: StreamUids): Promise<void> {
    const ledgerSecret = this.#ledgerSecret;
    const authority = this.#authority;
    if (!ledgerSecret || !authority) throw new Error('NATS credentials used before they were loaded');
    const { orphanedSecrets, revokeSecret, revocationClaims, revokeDue } = await import(
      './credential-ledger.js'
    );
    // A failed sweep does not hold the term up: the next term sweeps again.
    await this.#serially(async () => {
      this.#ledger = await ledgerSecret.read();
      const orphans = orphanedSecrets(this.#ledger, streamUids);
      if (orphans.length === 0) return;
      const nowSec = Math.floor(Date.now() / 1000);
      this.#ledger = await ledgerSecret.update((ledger) => {
        for (const key of orphans) revokeSecret(ledger, key, nowSec);
      });
      this.#log.info(
        { secrets: orphans },
        'revoked the NATS credentials of Streams deleted while not leading',
      );
    }).catch((error: unknown) =>
      this.#log.error(
        { err: error },
        'could not revoke the NATS credentials of deleted Streams; trying again next term',
      ),
    );
    clearInterval(this.#revokeDueTimer);
    this.#revokeDueTimer = setInterval(() => {
      this.#record((ledger) => revokeDue(ledger, Math.floor(Date.now() / 1000))).catch((error: unknown) =>
        this.#log.warn({ err: error }, 'could not revoke replaced NATS credentials; retrying'),
      );
    }, REVOKE_DUE_CHECK_MS);
    this.#revokeDueTimer.unref();
    if (this.#natsUrl === undefined) return;
    const { ClaimsPusher } = await import('./claims-pusher.js');
    const pusher = new ClaimsPusher({
      servers: this.#natsUrl,
      account: authority.account,
      systemCreds: await authority.systemCreds(),
      accountCreds: () => this.operatorCreds(),
      log: this.#log,
    });
    this.#pusher = pusher;
    pusher.start(await authority.accountJwt(revocationClaims(this.#ledger ?? { issued: {}, revoked: {} })));
  }

  /** The term ended: every Secret is checked again next term, and revocations are sent by the next leader. */
  reset(): void {
    this.#term++;
    this.#secrets?.reset();
    clearInterval(this.#revokeDueTimer);
    void this.#pusher?.stop();
    this.#pusher = undefined;
  }

  async stop(): Promise<void> {
    this.#term++;
    clearInterval(this.#revokeDueTimer);
    await this.#pusher?.stop();
    this.#pusher = undefined;
  }

  async #revoke(key: string, users: string[]): Promise<void> {
    const { revokeSecret } = await import('./credential-ledger.js');
    await this.#record((ledger) => revokeSecret(ledger, key, Math.floor(Date.now() / 1000), users));
  }

  /** Applies `change` to the stored ledger when it changes anything; sends a changed revocation list. */
  #record(change: (ledger: CredentialLedger) => unknown): Promise<void> {
    return this.#serially(async () => {
      const ledgerSecret = this.#ledgerSecret;
      const authority = this.#authority;
      if (!ledgerSecret || !authority) throw new Error('NATS credentials used before they were loaded');
      const { revocationClaims } = await import('./credential-ledger.js');
      const cached = this.#ledger ?? (await ledgerSecret.read());
      const trial = structuredClone(cached);
      change(trial);
      if (JSON.stringify(trial) === JSON.stringify(cached)) return;
      const before = JSON.stringify(revocationClaims(cached));
      const ledger = await ledgerSecret.update(change);
      this.#ledger = ledger;
      const revocations = revocationClaims(ledger);
      if (JSON.stringify(revocations) !== before)
        this.#pusher?.update(await authority.accountJwt(revocations));
    });
  }

  #serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(step, step);
    this.#writes = run.catch(() => {});
    return run;
  }
}
