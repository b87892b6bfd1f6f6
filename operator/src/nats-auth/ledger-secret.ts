// The credential ledger lives in the authority Secret beside the keys, and every change rewrites
// the Secret's auth.conf with the account JWT that lists the revocations: a restarted operator
// (or a new leader) reads them back, and a cold-started nats-server begins with them.
import type { V1Secret } from '@kubernetes/client-node';
import { isConflict, type KubeApi } from '../kube/api-client.js';
import { secretText } from '../kube/owned-secret.js';
import { objectPath, SECRETS } from '../kube/resources.js';
import { type NatsAuthority, SERVER_CONFIG_FORMAT } from './authority.js';
import { AUTHORITY_KEYS } from './authority-secret.js';
import { type CredentialLedger, parseLedger, pruneExpired, revocationClaims } from './credential-ledger.js';

const CONFLICT_ATTEMPTS = 5;

export class LedgerSecret {
  readonly #api: KubeApi;
  readonly #path: string;
  readonly #authority: NatsAuthority;
  readonly #now: () => number;

  constructor(api: KubeApi, namespace: string, name: string, authority: NatsAuthority, now = Date.now) {
    this.#api = api;
    this.#path = objectPath(SECRETS, namespace, name);
    this.#authority = authority;
    this.#now = now;
  }

  async read(): Promise<CredentialLedger> {
    return this.#parse(await this.#api.get<V1Secret>(this.#path));
  }

  /**
   * Applies `change` to the stored ledger (dropping expired keys) and writes it back with a fresh
   * auth.conf when it differs; retried on a conflicting write. Returns the ledger now stored.
   */
  async update(change: (ledger: CredentialLedger) => unknown, rewrite = false): Promise<CredentialLedger> {
    for (let attempt = 1; ; attempt++) {
      const secret = await this.#api.get<V1Secret>(this.#path);
      const stored = this.#parse(secret);
      const ledger = structuredClone(stored);
      change(ledger);
      pruneExpired(ledger, Math.floor(this.#now() / 1000));
      if (!rewrite && JSON.stringify(ledger) === JSON.stringify(stored)) return stored;
      const text = (value: string) => Buffer.from(value).toString('base64');
      // A merge patch (the operator may patch, not update, Secrets) made conditional by the
      // resourceVersion it was read at.
      const patch = {
        metadata: { resourceVersion: secret.metadata?.resourceVersion },
        data: {
          [AUTHORITY_KEYS.ledger]: text(JSON.stringify(ledger)),
          [AUTHORITY_KEYS.serverConfig]: text(await this.#authority.serverConfig(revocationClaims(ledger))),
        },
      };
      try {
        await this.#api.request('PATCH', this.#path, {
          body: patch,
          contentType: 'application/merge-patch+json',
        });
        return ledger;
      } catch (error) {
        if (!isConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      }
    }
  }

  /** Rewrites an auth.conf of an older format (its system account admitted nobody); true when it did. */
  async upgradeServerConfig(): Promise<boolean> {
    const secret = await this.#api.get<V1Secret>(this.#path);
    if (secretText(secret, AUTHORITY_KEYS.serverConfig)?.includes(SERVER_CONFIG_FORMAT)) return false;
    await this.update(() => {}, true);
    return true;
  }

  #parse(secret: V1Secret): CredentialLedger {
    try {
      return parseLedger(secretText(secret, AUTHORITY_KEYS.ledger));
    } catch (error) {
      throw new Error(
        `NATS authority Secret ${this.#path}, key ${AUTHORITY_KEYS.ledger}: ${(error as Error).message}; fix or remove the key (removing it forgets every revocation)`,
      );
    }
  }
}
