import { setTimeout as sleep } from 'node:timers/promises';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { allStreamsSubject, natsInboxPrefix, parseStreamSubject } from '@tributary/crds';
import type { Logger } from 'pino';
import { type PodSnapshot, parseSnapshot } from '../status/snapshot.js';

export interface SnapshotEntry {
  value: PodSnapshot;
  /** When the operator received it (epoch ms, operator clock). */
  receivedAt: number;
}

export interface StatusFeedOptions {
  servers: string;
  /** The `.creds` file's content, read at every (re)connect; none: connect without a credential. */
  credentials?: (() => Uint8Array) | undefined;
  subjectPrefix: string;
  log: Logger;
  /** Called with `<namespace>/<name>` for every snapshot received. */
  onSnapshot: (key: string) => void;
  /** Only keep snapshots of Streams in watched namespaces. */
  watches?: (namespace: string) => boolean;
  now?: () => number;
}

/** Pause before a connection that ended for good is replaced (the client retries transient losses itself). */
const FEED_RESTART_MS = 5_000;

/** The latest `.status` snapshot of every ingest pod, from one wildcard subscription. */
export class StatusFeed {
  readonly #o: StatusFeedOptions;
  readonly #latest = new Map<string, SnapshotEntry>();
  #nc: NatsConnection | undefined;
  #connected = false;
  #stopped = false;

  constructor(options: StatusFeedOptions) {
    this.#o = options;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The NATS connection, once made: shared with the push route cleanup. */
  get connection(): NatsConnection | undefined {
    return this.#nc;
  }

  get(key: string): SnapshotEntry | undefined {
    return this.#latest.get(key);
  }

  forget(key: string): void {
    this.#latest.delete(key);
  }

  /**
   * Connects in the background and keeps reconnecting; never rejects. A connection that ends for
   * good (the server refused the credential, or the client gave up) is replaced by a new one.
   */
  start(): void {
    void (async () => {
      while (!this.#stopped) {
        try {
          await this.#run();
        } catch (error) {
          this.#o.log.error({ err: error }, 'NATS status feed failed');
        }
        this.#connected = false;
        if (this.#stopped) break;
        this.#o.log.warn({ restartInMs: FEED_RESTART_MS }, 'NATS status feed ended; connecting again');
        await sleep(FEED_RESTART_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#nc?.close().catch(() => {});
  }

  async #run(): Promise<void> {
    const { log, credentials } = this.#o;
    const nc = await connect({
      servers: this.#o.servers,
      name: 'tributary-operator',
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      pingInterval: 10_000,
      inboxPrefix: natsInboxPrefix({ kind: 'operator' }),
      ...(credentials && { authenticator: credsAuthenticator(credentials) }),
    });
    if (this.#stopped) {
      await nc.close();
      return;
    }
    this.#nc = nc;
    this.#connected = true;
    log.info({ server: nc.getServer() }, 'connected to NATS');
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.#connected = false;
        if (status.type === 'reconnect') this.#connected = true;
        if (status.type === 'disconnect' || status.type === 'reconnect')
          log.info({ nats: status.type }, 'NATS connection changed');
      }
    })();
    const prefix = this.#o.subjectPrefix;
    const subscription = nc.subscribe(allStreamsSubject('status', prefix));
    for await (const message of subscription) {
      const parsed = parseStreamSubject(message.subject, prefix);
      if (!parsed || (this.#o.watches && !this.#o.watches(parsed.namespace))) continue;
      const snapshot = parseSnapshot(message.string());
      if (!snapshot) {
        log.debug({ subject: message.subject }, 'ignored a status message that is not a JSON object');
        continue;
      }
      const key = `${parsed.namespace}/${parsed.stream}`;
      this.#latest.set(key, { value: snapshot, receivedAt: (this.#o.now ?? Date.now)() });
      this.#o.onSnapshot(key);
    }
    this.#connected = false;
  }
}
