import type { AVPacket } from '../avpacket.js';

/**
 * Every pull source implements this. `read()` resolves with the next batch of access units, or
 * `null` at end of stream; it rejects with a ReaderError when the source fails.
 */
export interface PacketReader {
  open(signal: AbortSignal): Promise<void>;
  read(): Promise<AVPacket[] | null>;
  close(): Promise<void>;
}

/**
 * `retriable` errors are retried in place by the input loop with backoff; the rest (end of stream,
 * TLS, DNS, permanent HTTP statuses, bad configuration) end the reader and are reported.
 * `reopenAtOnce` skips the backoff: the source is known to be there already (a push input
 * whose publisher was replaced by a new one).
 */
export class ReaderError extends Error {
  readonly reopenAtOnce: boolean;

  constructor(
    message: string,
    readonly retriable: boolean,
    options?: ErrorOptions & { reopenAtOnce?: boolean },
  ) {
    super(message, options);
    this.name = 'ReaderError';
    this.reopenAtOnce = options?.reopenAtOnce === true;
  }
}
