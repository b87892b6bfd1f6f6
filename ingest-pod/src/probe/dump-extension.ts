import type { Codec } from '../avpacket.js';

/** File extension of a dumped elementary stream: what ffprobe recognises for that codec. */
export const DUMP_EXTENSION: Record<Codec, string> = {
  h264: 'h264',
  h265: 'h265',
  aac: 'aac',
  mp2: 'mp2',
  mp3: 'mp3',
  ac3: 'ac3',
  eac3: 'eac3',
  mpeg2video: 'm2v',
  av1: 'obu',
  scte35: 'scte35',
  opus: 'opus',
};
