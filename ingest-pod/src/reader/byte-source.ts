/**
 * The transport half of an MPEG-TS reader: raw bytes in any chunking. `read()` resolves with the
 * chunks that arrived since the last call (never an empty list), or `null` at end of stream; it
 * rejects with a ReaderError when the transport fails. A TsPacketReader turns it into AVPackets.
 */
export interface ByteSource {
  open(signal: AbortSignal): Promise<void>;
  read(): Promise<Uint8Array[] | null>;
  close(): Promise<void>;
  /** Chunks the transport threw away (queue overflow, datagrams without TS payload). */
  readonly dropped: number;
  /** How long silence may last before the input loop calls the input stalled; absent = input loop's default. */
  readonly stallTimeoutMs?: number;
}
