// A PES private-data stream (stream_type 0x06) whose PMT entry says nothing else is told apart by
// its first payload, as ffprobe does: ffmpeg writes AAC that way in M2TS mode (Blu-ray has no
// stream type for it).
import type { AVPacket, Codec } from '../avpacket.js';
import type { PayloadHandler } from './payload-handler.js';
import { parsePesHeader, pesHeaderLength } from './pes-header.js';
import type { PmtStream } from './psi-tables.js';

const STREAM_TYPE_PRIVATE_DATA = 0x06;
const DESCRIPTOR_ISO_639_LANGUAGE = 0x0a;
/** PES starts without a payload to look at (too short, broken header) before giving up. */
const MAX_ATTEMPTS = 4;

/** Private data with no descriptor saying what it is (a language at most). */
export function isUndeclaredPrivateData(stream: PmtStream): boolean {
  return (
    stream.streamType === STREAM_TYPE_PRIVATE_DATA &&
    stream.descriptors.every((d) => d.tag === DESCRIPTOR_ISO_639_LANGUAGE)
  );
}

/** Pure: the codec an elementary-stream payload starts with: ADTS AAC, AC-3 or E-AC-3; else null. */
export function sniffPrivatePayload(es: Uint8Array, at: number, end: number): Codec | null {
  if (end - at < 6) return null;
  if (es[at] === 0xff && (es[at + 1]! & 0xf6) === 0xf0) return 'aac'; // ADTS syncword, layer 0
  if (es[at] === 0x0b && es[at + 1] === 0x77) {
    const bsid = es[at + 5]! >> 3;
    if (bsid <= 10) return 'ac3';
    if (bsid <= 16) return 'eac3';
  }
  return null;
}

/**
 * Holds a private-data PID until its first PES start shows what it carries, then hands the verdict
 * (and that packet's payload, for the stream's real handler) to `resolve`. Buffers nothing.
 */
export class PrivateStreamProbe implements PayloadHandler {
  readonly bufferedBytes = 0;
  private attempts = 0;

  constructor(
    private readonly resolve: (
      codec: Codec | null,
      data: Buffer,
      start: number,
      end: number,
      out: AVPacket[],
    ) => void,
  ) {}

  payload(data: Buffer, start: number, end: number, unitStart: boolean, out: AVPacket[]): void {
    if (!unitStart) return;
    const available = end - start;
    const need = pesHeaderLength(data, start, available);
    const header = available >= need ? parsePesHeader(data, start) : 'short';
    if (typeof header === 'string' || available < header.headerBytes + 6) {
      if (++this.attempts >= MAX_ATTEMPTS) this.resolve(null, data, start, end, out);
      return;
    }
    this.resolve(sniffPrivatePayload(data, start + header.headerBytes, end), data, start, end, out);
  }

  abort(): void {}

  discontinuity(): void {}

  flush(_out: AVPacket[]): void {}
}
