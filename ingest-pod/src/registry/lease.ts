// An active mark kept alive by compare-and-set renewals: each renewal only succeeds if the mark is
// still at the revision we last wrote, so a replica never renews a mark someone else has taken.
import type { KV } from '@nats-io/kv';
import { decodeActiveMark } from './codec.js';
import { isCasFailure, type RegistryLogger } from './kv-support.js';
import type { Lease, RouteEntry, RouteKey } from './registry-api.js';

export interface LeaseSettings {
  active: KV;
  kvKey: string;
  markTtlMs: number;
  heartbeatMs: number;
  log: RegistryLogger;
  /** Called once the lease no longer holds the mark (released, lost or stopped). */
  forget(lease: ActiveLease): void;
}

type HolderCheck = { ours: true; revision: number } | { ours: false; reason: string };

export class ActiveLease implements Lease {
  onLost: (reason: string) => void = () => {};
  #state: 'held' | 'lost' | 'released' | 'stopped' = 'held';
  #revision: number;
  /** Local time at which the last successful write was sent: the mark lives at least markTtlMs from it. */
  #renewedAt: number;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;
  #released: Promise<void> | undefined;

  constructor(
    readonly key: RouteKey,
    readonly route: RouteEntry,
    /** The exact bytes of our mark: a mark with these bytes is ours even at a revision we missed. */
    private readonly bytes: Uint8Array,
    revision: number,
    sentAt: number,
    private readonly settings: LeaseSettings,
  ) {
    this.#revision = revision;
    this.#renewedAt = sentAt;
    this.#schedule(settings.heartbeatMs);
  }

  release(): Promise<void> {
    this.#released ??= this.#release();
    return this.#released;
  }

  /** Stops renewing without deleting the mark: what a killed replica does. */
  stop(): void {
    if (this.#state !== 'held') return;
    this.#state = 'stopped';
    this.#end();
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#renewing = this.#renew().finally(() => {
        this.#renewing = undefined;
      });
    }, delayMs);
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    const { active, kvKey, markTtlMs, heartbeatMs, log } = this.settings;
    const sentAt = performance.now();
    const remaining = this.#renewedAt + markTtlMs - sentAt;
    try {
      this.#revision = await active.update(
        kvKey,
        this.bytes,
        this.#revision,
        Math.max(1, Math.min(heartbeatMs, remaining)),
      );
      this.#renewedAt = sentAt;
      if (this.#state === 'held') this.#schedule(heartbeatMs);
      return;
    } catch (error) {
      if (this.#state !== 'held') return;
      if (isCasFailure(error)) {
        const holder = await this.#checkHolder();
        if (!holder.ours) return this.#lose(holder.reason);
        // A renewal that timed out had in fact been written: carry on from its revision.
        this.#revision = holder.revision;
        if (this.#state === 'held') this.#schedule(0);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      const left = this.#renewedAt + markTtlMs - performance.now();
      if (left <= 0) return this.#lose(`could not renew the active mark for ${markTtlMs} ms: ${message}`);
      log.warn(
        { route: this.key, error: message, msLeft: Math.round(left) },
        'renewing the active mark failed',
      );
      this.#schedule(Math.min(heartbeatMs / 4, left));
    }
  }

  async #release(): Promise<void> {
    const wasHeld = this.#state === 'held';
    if (wasHeld) this.#state = 'released';
    this.#end();
    await this.#renewing;
    if (!wasHeld) return;
    const { active, kvKey, log } = this.settings;
    try {
      await active.delete(kvKey, { previousSeq: this.#revision });
    } catch (error) {
      if (isCasFailure(error)) {
        const holder = await this.#checkHolder();
        if (!holder.ours) {
          log.debug({ route: this.key, reason: holder.reason }, 'active mark no longer ours; left alone');
          return;
        }
        await active.delete(kvKey, { previousSeq: holder.revision }).catch(() => {});
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ route: this.key, error: message }, 'could not delete the active mark; it expires by itself');
    }
  }

  #lose(reason: string): void {
    if (this.#state !== 'held') return;
    this.#state = 'lost';
    this.#end();
    this.settings.log.warn({ route: this.key, reason }, 'active mark lost');
    try {
      this.onLost(reason);
    } catch (error) {
      this.settings.log.error({ route: this.key, error: String(error) }, 'onLost threw');
    }
  }

  #end(): void {
    clearTimeout(this.#timer);
    this.settings.forget(this);
  }

  /** Who holds the mark now, after a compare-and-set failed. */
  async #checkHolder(): Promise<HolderCheck> {
    try {
      const entry = await this.settings.active.get(this.settings.kvKey);
      if (entry === null) return { ours: false, reason: 'the active mark expired before it was renewed' };
      if (entry.operation !== 'PUT') return { ours: false, reason: 'the active mark was deleted' };
      if (Buffer.from(entry.value).equals(this.bytes)) return { ours: true, revision: entry.revision };
      const mark = decodeActiveMark(entry.value);
      const by = mark instanceof Error ? '' : ` (${mark.replica})`;
      return { ours: false, reason: `taken over by another replica${by}` };
    } catch {
      return { ours: false, reason: 'taken over by another replica' };
    }
  }
}
