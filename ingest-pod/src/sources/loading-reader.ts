import type { AVPacket } from '../avpacket.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, ReaderCounters } from '../reader/reader-api.js';

const NOTHING_YET: Readonly<ReaderCounters> = Object.freeze({
  bytes: 0,
  tsPackets: 0,
  ccErrors: 0,
  unknownStreams: 0,
});

/**
 * A reader whose code is loaded when it is first opened. A pod reads one or two protocols; loading
 * the others' code (and their libraries) would cost every pod memory it never uses. The URL is
 * checked before this is built, so a bad one is still refused at once.
 */
export class LoadingReader implements InputReader {
  #reader: InputReader | undefined;

  constructor(private readonly load: () => Promise<InputReader>) {}

  get tracks() {
    return this.#reader?.tracks ?? [];
  }

  get counters() {
    return this.#reader?.counters ?? NOTHING_YET;
  }

  get stallTimeoutMs() {
    return this.#reader?.stallTimeoutMs;
  }

  get linkStats() {
    return this.#reader?.linkStats;
  }

  get pusher() {
    return this.#reader?.pusher;
  }

  async open(signal: AbortSignal): Promise<void> {
    if (this.#reader === undefined) {
      try {
        this.#reader = await this.load();
      } catch (error) {
        if (error instanceof ReaderError) throw error;
        throw new ReaderError(`cannot load the reader: ${(error as Error).message}`, false, { cause: error });
      }
    }
    await this.#reader.open(signal);
  }

  async read(): Promise<AVPacket[] | null> {
    if (this.#reader === undefined) throw new ReaderError('read before open', false);
    return this.#reader.read();
  }

  async close(): Promise<void> {
    await this.#reader?.close();
  }
}
