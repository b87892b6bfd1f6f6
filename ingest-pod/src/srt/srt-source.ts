import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SRT_QUEUE_MAX_BYTES } from '../limits.js';
import type { ByteSource } from '../reader/byte-source.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { LinkStats } from '../reader/reader-api.js';
import { DatagramQueue } from '../udp/datagram-queue.js';
import { type SrtConnection, type SrtEngine, SrtRequestError, sharedSrtEngine } from './srt-engine.js';
import { connectError, sessionEndError } from './srt-errors.js';
import type { SrtAddress } from './srt-messages.js';
import type { SrtCallerConfig } from './srt-url.js';

/** Batches (≤ 20 ms or 64 SRT messages each) held for `read()`: about 5 s of a live stream. */
const QUEUE_BATCHES = 256;
const PERMANENT_DNS_CODES = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL']);

export type Lookup = (host: string) => Promise<{ address: string; family: number }>;

/** The host as a sockaddr-ready address: IP literals as they are, names through dns.lookup. */
export async function resolveSrtHost(
  host: string,
  port: number,
  resolve: Lookup = lookup,
): Promise<SrtAddress> {
  const literal = isIP(host);
  if (literal !== 0) return { family: literal as 4 | 6, address: host, port };
  try {
    const found = await resolve(host);
    return { family: found.family === 6 ? 6 : 4, address: found.address, port };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const message = `srt: cannot resolve ${host}: ${(err as Error).message}`;
    throw new ReaderError(message, !PERMANENT_DNS_CODES.has(code), { cause: err });
  }
}

/**
 * An SRT caller as a ByteSource. Each open connects a new socket through the shared SRT engine.
 * When the session ends on its own (peer closed, link broken), `read()` returns what was still
 * queued, then null, and `sessionEnd` holds the retriable error: SrtReader turns that into a
 * reconnect after the demuxer has flushed its last access units.
 */
export class SrtSource implements ByteSource {
  private connection: SrtConnection | undefined;
  private queue: DatagramQueue | undefined;
  private overflowedBefore = 0;
  /** Why the current session ended on its own; undefined while it runs or after close(). */
  sessionEnd: ReaderError | undefined;

  constructor(
    private readonly config: SrtCallerConfig,
    private readonly engine: SrtEngine = sharedSrtEngine(),
    private readonly resolve: Lookup = lookup,
  ) {}

  get where(): string {
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `srt://${host}:${this.config.port}`;
  }

  get dropped(): number {
    return this.overflowedBefore + (this.queue?.overflowed ?? 0);
  }

  /** The latest statistics of the open (or just ended) connection. */
  get linkStats(): LinkStats | undefined {
    return this.connection?.stats;
  }

  async open(signal: AbortSignal): Promise<void> {
    await this.close();
    const address = await resolveSrtHost(this.config.host, this.config.port, this.resolve);
    let connection: SrtConnection;
    try {
      connection = await this.engine.connect(address, this.config.options, signal);
    } catch (err) {
      if (err instanceof SrtRequestError) throw connectError(this.where, err.failure);
      if (signal.aborted) throw new ReaderError(`srt: connecting to ${this.where} was cancelled`, true);
      throw new ReaderError(`srt: connecting to ${this.where} failed: ${(err as Error).message}`, true);
    }
    const queue = new DatagramQueue(QUEUE_BATCHES, SRT_QUEUE_MAX_BYTES);
    connection.onData = (chunk) => queue.push(chunk);
    connection.onClose = (failure) => {
      this.sessionEnd = sessionEndError(this.where, failure);
      queue.end();
    };
    this.connection = connection;
    this.queue = queue;
    if (signal.aborted) await this.close();
  }

  read(): Promise<Uint8Array[] | null> {
    return this.queue?.take() ?? Promise.resolve(null);
  }

  async close(): Promise<void> {
    this.connection?.close();
    this.connection = undefined;
    this.sessionEnd = undefined;
    if (this.queue !== undefined) {
      this.queue.end();
      this.overflowedBefore += this.queue.overflowed;
      this.queue = undefined;
    }
  }
}
