import type { AVPacket } from '../../src/avpacket.js';
import type { InputReader, ReaderCounters } from '../../src/reader/reader-api.js';

/** A reader driven by the test: open succeeds or throws; each read waits for the test's next step. */
export class ScriptedReader implements InputReader {
  readonly tracks = [];
  readonly counters: ReaderCounters = { bytes: 0, tsPackets: 0, ccErrors: 0, unknownStreams: 0 };
  stallTimeoutMs: number | undefined;
  opened = false;
  closed = false;
  private steps: (AVPacket[] | null | Error)[] = [];
  private waiting: ((step: AVPacket[] | null | Error) => void) | undefined;

  constructor(private readonly openError?: Error) {}

  async open(): Promise<void> {
    if (this.openError) throw this.openError;
    this.opened = true;
  }

  read(): Promise<AVPacket[] | null> {
    const next = this.steps.shift();
    const settle = (step: AVPacket[] | null | Error) =>
      step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
    if (next !== undefined) return settle(next);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiting = (step) => (step instanceof Error ? reject(step) : resolve(step));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.step(null);
  }

  /** Hands the next read a batch, end of stream (null) or a failure. */
  step(step: AVPacket[] | null | Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(step);
    else if (!this.closed) this.steps.push(step);
  }

  get reading(): boolean {
    return this.waiting !== undefined;
  }
}

export function packets(n: number, dts = 0): AVPacket[] {
  return Array.from({ length: n }, (_, i) => ({
    codec: 'h264' as const,
    trackId: 256,
    pts: dts + i * 3600,
    dts: dts + i * 3600,
    key: i === 0,
    data: new Uint8Array([0, 0, 0, 1, 0x65]),
  }));
}
