import type { Codec } from '../../avpacket.js';

/** One audio frame header, as read by an AudioSyntax. */
export interface AudioFrame {
  codec: Codec;
  /** Whole frame, header included. */
  length: number;
  /** PCM samples per channel the frame decodes to. */
  samples: number;
  sampleRate: number;
  channels: number;
  /** E-AC-3 dependent substream: belongs to the access unit of the frame before it. */
  dependent: boolean;
}

export interface AudioSyntax {
  /** Bytes a header needs before `read` can tell. */
  readonly headerBytes: number;
  /** The frame starting at d[pos] (headerBytes are available), or null when none starts there. */
  read(d: Uint8Array, pos: number): AudioFrame | null;
}
