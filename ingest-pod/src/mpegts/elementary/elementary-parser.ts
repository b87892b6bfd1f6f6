import type { AVPacket, TrackInfo } from '../../avpacket.js';

/** Turns complete PES payloads of one track into access units. */
export interface ElementaryParser {
  /** Live track description; codec, size and rate are filled in as the stream reveals them. */
  readonly track: TrackInfo;
  readonly isVideo: boolean;
  /** `payload` is owned by the parser from now on. `pts`/`dts` are unwrapped, or -1 when absent. */
  pes(payload: Uint8Array, pts: number, dts: number, out: AVPacket[]): void;
  /** End of stream: emit or report what is held back. */
  flush(out: AVPacket[]): void;
  readonly bufferedBytes: number;
}

/** Where a parser reports malformed input. */
export type MalformedSink = (detail: string) => void;

/** Where a parser reports parameter sets it would not cache (too large, too many). */
export type RefusedSink = (count: number, detail: string) => void;
