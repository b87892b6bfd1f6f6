import { classifyFailure } from '../reader/error-classification.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, ReaderInput } from '../reader/reader-api.js';
import { Backoff } from './backoff.js';
import { type Clock, sleep, systemClock } from './clock.js';
import {
  DEFAULT_STALL_TIMEOUT_MS,
  type InputLoopDeps,
  type InputLoopEvent,
  type InputLoopExit,
  type InputLoopHandle,
  type SessionReason,
} from './input-loop-api.js';
import { StallWatchdog } from './stall-watchdog.js';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs one input: open, read until it fails, reopen with backoff (1 s doubling to 10 s, reset after
 * a good open). End of stream and permanent failures end the input loop and are reported instead of
 * retried. Every open starts a session whose first batch is flagged; so does the first batch after
 * a stall.
 */
class InputLoop implements InputLoopHandle {
  readonly done: Promise<InputLoopExit>;
  reader: InputReader | undefined;
  private readonly stopping = new AbortController();
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly nextSessionId: () => number;
  /** Failures since the last good open. */
  private retries = 0;

  constructor(
    private readonly input: ReaderInput,
    private readonly deps: InputLoopDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.backoff = new Backoff(deps.backoff?.initialMs, deps.backoff?.maxMs);
    let session = 0;
    this.nextSessionId = deps.nextSessionId ?? (() => ++session);
    // A throwing callback must not leave the manager with a rejected `done`.
    this.done = this.run().catch((err: unknown) => ({ reason: 'failed', error: message(err) }) as const);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.reader?.close().catch(() => undefined);
    await this.done;
  }

  private emit(event: InputLoopEvent): void {
    this.deps.onEvent?.(event);
  }

  private async run(): Promise<InputLoopExit> {
    let opens = 0;
    let failedOpens = 0;
    while (!this.stopping.signal.aborted) {
      let reader: InputReader;
      try {
        reader = this.deps.createReader(this.input, {
          ...this.deps.context,
          onEvent: (event) => {
            this.deps.context?.onEvent?.(event);
            this.emit({ type: 'reader', event });
          },
        });
      } catch (err) {
        return this.fail(err);
      }
      this.reader = reader;
      try {
        await reader.open(this.stopping.signal);
      } catch (err) {
        await reader.close().catch(() => undefined);
        if (this.stopping.signal.aborted) break;
        failedOpens++;
        const exit = await this.retryOrFail(err, failedOpens === 1);
        if (exit !== undefined) return exit;
        continue;
      }
      if (this.stopping.signal.aborted) {
        await reader.close().catch(() => undefined);
        break;
      }
      failedOpens = 0;
      this.retries = 0;
      this.backoff.reset();
      const session = this.nextSessionId();
      this.emit({ type: 'input.connected', session, reconnect: opens > 0 });
      const outcome = await this.readUntilDone(reader, session, opens > 0 ? 'reconnect' : 'open');
      opens++;
      await reader.close().catch(() => undefined);
      if (this.stopping.signal.aborted) break;
      if (outcome === 'ended') {
        this.emit({ type: 'input.ended' });
        return { reason: 'ended' };
      }
      const exit = await this.retryOrFail(outcome.error, false);
      if (exit !== undefined) return exit;
    }
    return { reason: 'stopped' };
  }

  /** Reads until end of stream ('ended') or a failure; returns early when stopped. */
  private async readUntilDone(
    reader: InputReader,
    firstSession: number,
    firstReason: SessionReason,
  ): Promise<'ended' | { error: unknown }> {
    let session = firstSession;
    let reason = firstReason;
    let sessionStart = true;
    const watchdog = new StallWatchdog(
      this.clock,
      () => this.deps.stallTimeoutMs ?? reader.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      (silentMs) => this.emit({ type: 'stalled', silentMs }),
    );
    watchdog.start();
    try {
      for (;;) {
        const packets = await reader.read();
        if (this.stopping.signal.aborted) return 'ended';
        if (packets === null) return 'ended';
        if (packets.length === 0) continue;
        if (watchdog.stalled) {
          session = this.nextSessionId();
          reason = 'stall';
          sessionStart = true;
        }
        watchdog.feed();
        await this.deps.onPackets({ packets, session, sessionStart, reason });
        watchdog.feed();
        sessionStart = false;
      }
    } catch (err) {
      return { error: err };
    } finally {
      watchdog.stop();
    }
  }

  /** Waits out the backoff for a retriable failure; returns the exit for a permanent one. */
  private async retryOrFail(err: unknown, firstOpenFailure: boolean): Promise<InputLoopExit | undefined> {
    if (classifyFailure(err).permanent) return this.fail(err);
    const delayMs = err instanceof ReaderError && err.reopenAtOnce ? 0 : this.backoff.next();
    const error = message(err);
    if (firstOpenFailure || delayMs >= this.backoff.maxMs) {
      this.emit({ type: 'input.error', error, permanent: false });
    }
    this.retries++;
    this.emit({ type: 'input.reconnecting', error, attempt: this.retries, delayMs });
    await sleep(this.clock, delayMs, this.stopping.signal);
    return undefined;
  }

  private fail(err: unknown): InputLoopExit {
    const error = message(err);
    this.emit({ type: 'input.error', error, permanent: true });
    return { reason: 'failed', error };
  }
}

/** Starts an input loop for one input; see InputLoop. */
export function startInputLoop(input: ReaderInput, deps: InputLoopDeps): InputLoopHandle {
  return new InputLoop(input, deps);
}
