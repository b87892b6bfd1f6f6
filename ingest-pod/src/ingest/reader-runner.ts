import { startInputLoop } from '../input-loop/input-loop.js';
import type { PacketBatch } from '../input-loop/input-loop-api.js';
import { ReaderError } from '../reader/packet-reader.js';
import type {
  CreateReader,
  InputReader,
  PusherInfo,
  ReaderContext,
  ReaderEvent,
} from '../reader/reader-api.js';
import type { ResolvedInput } from './resolve-input.js';

/** What one running reader tells the input manager. */
export interface ReaderReports {
  /** `pusher`: who publishes, for a push input's reader. */
  opened(pusher?: PusherInfo): void;
  batch(batch: PacketBatch, reader: InputReader): void;
  /** `permanent`: the input loop is over (end of stream, permanent failure); otherwise it retries. */
  error(message: string, permanent: boolean): void;
  reconnecting(error: string, attempt: number, delayMs: number): void;
  stalled(silentMs: number): void;
  readerEvent(event: ReaderEvent): void;
}

export interface RunReaderOptions {
  input: ResolvedInput;
  createReader: CreateReader;
  context: ReaderContext;
  nextSessionId: () => number;
  /** Settles once an earlier reader of the same source let go of it (a UDP port binds once). */
  after?: Promise<void>;
  reports: ReaderReports;
}

export interface RunningReader {
  /** Closes the reader; no report is made after this is called. */
  stop(): Promise<void>;
}

/** A reader whose open waits for `after` first. */
function openingAfter(reader: InputReader, after: Promise<void>): InputReader {
  return {
    get tracks() {
      return reader.tracks;
    },
    get counters() {
      return reader.counters;
    },
    get stallTimeoutMs() {
      return reader.stallTimeoutMs;
    },
    get linkStats() {
      return reader.linkStats;
    },
    get pusher() {
      return reader.pusher;
    },
    open: async (signal) => {
      await after;
      return reader.open(signal);
    },
    read: () => reader.read(),
    close: () => reader.close(),
  };
}

/**
 * Runs one input's reader in an input loop (open, read, reconnect with backoff) and turns what the
 * loop says into reports. An unusable input fails at once, permanently, with its reason.
 */
export function runReader(options: RunReaderOptions): RunningReader {
  const { input, reports, after } = options;
  let stopped = false;
  const create: CreateReader = (readerInput, context) => {
    if (input.unusable !== undefined) throw new ReaderError(input.unusable, false);
    const reader = options.createReader(readerInput, context);
    return after === undefined ? reader : openingAfter(reader, after);
  };
  const loop = startInputLoop(input.reader, {
    createReader: create,
    context: options.context,
    nextSessionId: options.nextSessionId,
    onPackets: (batch) => {
      if (!stopped && loop.reader !== undefined) reports.batch(batch, loop.reader);
    },
    onEvent: (event) => {
      if (stopped) return;
      switch (event.type) {
        case 'input.connected':
          reports.opened(loop.reader?.pusher);
          return;
        case 'input.error':
          // A permanent error also ends the input loop: reported once, from `done`.
          if (!event.permanent) reports.error(event.error, false);
          return;
        case 'input.reconnecting':
          reports.reconnecting(event.error, event.attempt, event.delayMs);
          return;
        case 'stalled':
          reports.stalled(event.silentMs);
          return;
        case 'reader':
          reports.readerEvent(event.event);
          return;
        case 'input.ended':
          return;
      }
    },
  });
  void loop.done.then((exit) => {
    if (stopped || exit.reason === 'stopped') return;
    reports.error(exit.reason === 'ended' ? 'end of stream' : exit.error, true);
  });
  return {
    stop() {
      stopped = true;
      return loop.stop();
    },
  };
}
