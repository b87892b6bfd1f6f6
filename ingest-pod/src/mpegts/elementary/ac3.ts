// AC-3 (ATSC A/52) and E-AC-3 (A/52 Annex E) sync frames; bsid tells them apart.
import type { AudioSyntax } from './audio-syntax.js';

const SAMPLE_RATES = [48000, 44100, 32000];
const REDUCED_SAMPLE_RATES = [24000, 22050, 16000];
const EAC3_BLOCKS = [1, 2, 3, 6];
/** kbit/s by frmsizecod >> 1. */
const AC3_BITRATES = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 576, 640];
/** Channels by acmod (1+1 dual mono counts as two). */
const ACMOD_CHANNELS = [2, 1, 2, 3, 3, 4, 4, 5];

/** AC-3 frame size in 16-bit words (the A/52 table, computed). */
function ac3FrameWords(fscod: number, frmsizecod: number): number {
  const kbps = AC3_BITRATES[frmsizecod >> 1]!;
  if (fscod === 0) return 2 * kbps;
  if (fscod === 2) return 3 * kbps;
  return Math.floor((kbps * 320) / 147) + (frmsizecod & 1); // 44.1 kHz: 1536 samples, odd codes pad
}

/** lfeon follows acmod and the mix-level fields acmod implies. */
function ac3Lfe(d: Uint8Array, p: number, acmod: number): number {
  let bit = 3;
  if (acmod & 1 && acmod !== 1) bit += 2;
  if (acmod & 4) bit += 2;
  if (acmod === 2) bit += 2;
  const byte = d[p + 6 + (bit >> 3)] ?? 0;
  return (byte >> (7 - (bit & 7))) & 1;
}

export const AC3_SYNTAX: AudioSyntax = {
  headerBytes: 8,
  read(d, p) {
    if (d[p] !== 0x0b || d[p + 1] !== 0x77) return null;
    const bsid = d[p + 5]! >> 3;
    if (bsid <= 10) {
      const fscod = d[p + 4]! >> 6;
      const frmsizecod = d[p + 4]! & 0x3f;
      if (fscod === 3 || frmsizecod > 37) return null;
      const acmod = d[p + 6]! >> 5;
      return {
        codec: 'ac3',
        length: 2 * ac3FrameWords(fscod, frmsizecod),
        samples: 1536,
        sampleRate: SAMPLE_RATES[fscod]!,
        channels: ACMOD_CHANNELS[acmod]! + ac3Lfe(d, p, acmod),
        dependent: false,
      };
    }
    if (bsid > 16) return null;
    const streamType = d[p + 2]! >> 6;
    if (streamType === 3) return null;
    const fscod = d[p + 4]! >> 6;
    let sampleRate: number;
    let blocks = 6;
    if (fscod === 3) {
      const fscod2 = (d[p + 4]! >> 4) & 3;
      if (fscod2 === 3) return null;
      sampleRate = REDUCED_SAMPLE_RATES[fscod2]!;
    } else {
      sampleRate = SAMPLE_RATES[fscod]!;
      blocks = EAC3_BLOCKS[(d[p + 4]! >> 4) & 3]!;
    }
    return {
      codec: 'eac3',
      length: 2 * ((((d[p + 2]! & 0x07) << 8) | d[p + 3]!) + 1),
      samples: 256 * blocks,
      sampleRate,
      channels: ACMOD_CHANNELS[(d[p + 4]! >> 1) & 7]! + (d[p + 4]! & 1),
      dependent: streamType === 1,
    };
  },
};
