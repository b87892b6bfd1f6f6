// Sends the account JWT to nats-server through the system account, on every change and on every
// (re)connect: a server restarted with an older auth.conf learns the revocations again at once.
// nats-server's memory resolver applies such an update to the loaded account (and disconnects
// clients whose key it revokes); it answers "jwt update skipped" while no client of the account has
// connected yet (the account is not loaded), so the pusher then connects once as a user of the
// account, which loads it, and sends the update again until the server says it took it.
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

export interface ClaimsPusherOptions {
  servers: string;
  /** The account the JWTs are for. */
  account: string;
  /** A system-account user's `.creds`. */
  systemCreds: Uint8Array;
  /** A user of the account itself, to make a restarted server load the account. */
  accountCreds?: (() => Uint8Array) | undefined;
  log: Logger;
  /** Pause between attempts while the server has not taken the update (default 500 ms). */
  retryMs?: number;
}

interface ClaimUpdateReply {
  data?: { code?: number; message?: string };
  error?: { code?: number; description?: string };
}

export class ClaimsPusher {
  readonly #o: ClaimsPusherOptions;
  #nc: NatsConnection | undefined;
  #jwt: string | undefined;
  /** Bumped by every new JWT and every reconnect: a running loop sees it must send again. */
  #generation = 0;
  #pushed = -1;
  #loadedFor = -1;
  #taken = 0;
  #running = false;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(options: ClaimsPusherOptions) {
    this.#o = options;
  }

  /** True once the server took the latest JWT (and has not restarted since). */
  get current(): boolean {
    return this.#pushed === this.#generation && this.#jwt !== undefined;
  }

  /** How many times the server took a JWT from this pusher. */
  get taken(): number {
    return this.#taken;
  }

  /** Connects in the background and keeps the server's copy of the account JWT current. */
  start(jwt: string): void {
    this.#jwt = jwt;
    this.#generation++;
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  /** A new account JWT (revocations changed). */
  update(jwt: string): void {
    this.#jwt = jwt;
    this.#generation++;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#nc?.close().catch(() => {});
  }

  async #loop(): Promise<void> {
    const { log } = this.#o;
    const retryMs = this.#o.retryMs ?? 500;
    let failing = false;
    while (!this.#stopped) {
      try {
        const nc = await this.#connection();
        if (this.#stopped) break;
        const generation = this.#generation;
        if (this.#pushed !== generation && this.#jwt !== undefined) {
          const outcome = await this.#send(nc, this.#jwt);
          if (outcome === 'updated') {
            log.info({ account: this.#o.account }, 'nats-server took the account JWT (revocations)');
            this.#pushed = generation;
            failing = false;
            this.#taken++;
          } else {
            log.debug({ outcome }, 'nats-server has not taken the account JWT yet; sending it again');
            // Once per generation: a server that still skips it gets the update again after a pause.
            if (this.#loadedFor === generation || !(await this.#loadAccount())) await this.#pause(retryMs);
            this.#loadedFor = generation;
          }
          continue;
        }
      } catch (error) {
        // Once per outage: NATS being down is reported by everything else too.
        if (!failing)
          log.warn({ err: error, retryInMs: retryMs }, 'could not send the account JWT to NATS; retrying');
        failing = true;
        await this.#pause(retryMs);
        continue;
      }
      await this.#pause();
    }
    this.#running = false;
  }

  async #connection(): Promise<NatsConnection> {
    if (this.#nc && !this.#nc.isClosed()) return this.#nc;
    const nc = await connect({
      servers: this.#o.servers,
      name: 'tributary-operator-system',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      authenticator: credsAuthenticator(this.#o.systemCreds),
    });
    this.#nc = nc;
    if (this.#stopped) await nc.close();
    void (async () => {
      for await (const status of nc.status())
        if (status.type === 'reconnect') {
          // A restarted server may have started from an older auth.conf.
          this.#generation++;
          this.#wake?.();
        }
    })();
    return nc;
  }

  /** Connects once as a user of the account, so the server loads it; false without such a user. */
  async #loadAccount(): Promise<boolean> {
    const creds = this.#o.accountCreds;
    if (!creds) return false;
    const nc = await connect({
      servers: this.#o.servers,
      name: 'tributary-operator-account-load',
      maxReconnectAttempts: 0,
      authenticator: credsAuthenticator(creds),
    });
    await nc.close();
    return true;
  }

  async #send(nc: NatsConnection, jwt: string): Promise<'updated' | string> {
    const reply = await nc.request(`$SYS.REQ.ACCOUNT.${this.#o.account}.CLAIMS.UPDATE`, jwt, {
      timeout: 5_000,
    });
    const answer = reply.json<ClaimUpdateReply>();
    if (answer.error) throw new Error(`nats-server refused the account JWT: ${answer.error.description}`);
    return answer.data?.message === 'jwt updated' ? 'updated' : (answer.data?.message ?? 'no answer');
  }

  /** Waits for `ms`, or (without it) until there is something to send. */
  async #pause(ms?: number): Promise<void> {
    if (this.#stopped) return;
    const ac = new AbortController();
    const woken = new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    const timer = ms === undefined ? [] : [sleep(ms, undefined, { signal: ac.signal }).catch(() => {})];
    await Promise.race([woken, ...timer]);
    ac.abort();
    this.#wake = undefined;
  }
}
