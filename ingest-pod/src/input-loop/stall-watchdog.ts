import { clampTimerMs } from '../limits.js';
import type { Clock } from './clock.js';

/**
 * Calls `onStall` once when no packet has arrived for `timeoutMs()`; latched until packets flow
 * again, so every silence yields exactly one stall. One timer, re-armed lazily.
 */
export class StallWatchdog {
  private lastAt = 0;
  private timer: unknown;
  private running = false;
  stalled = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: () => number,
    private readonly onStall: (silentMs: number) => void,
  ) {}

  start(): void {
    this.running = true;
    this.stalled = false;
    this.lastAt = this.clock.now();
    this.arm(this.timeoutMs());
  }

  /** Packets arrived. */
  feed(): void {
    this.lastAt = this.clock.now();
    if (this.stalled) {
      this.stalled = false;
      this.arm(this.timeoutMs());
    }
  }

  stop(): void {
    this.running = false;
    this.clock.clearTimeout(this.timer);
  }

  private arm(ms: number): void {
    this.clock.clearTimeout(this.timer);
    if (this.running) this.timer = this.clock.setTimeout(() => this.check(), clampTimerMs(ms));
  }

  private check(): void {
    if (!this.running || this.stalled) return;
    const silent = this.clock.now() - this.lastAt;
    const limit = this.timeoutMs();
    if (silent < limit) {
      this.arm(limit - silent);
      return;
    }
    this.stalled = true;
    this.onStall(silent);
  }
}
