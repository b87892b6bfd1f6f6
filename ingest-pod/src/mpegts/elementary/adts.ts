// AAC in ADTS framing (ISO/IEC 13818-7 / 14496-3). The ADTS header stays on every frame.
import type { AudioSyntax } from './audio-syntax.js';

const SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

export const ADTS_SYNTAX: AudioSyntax = {
  headerBytes: 7,
  read(d, p) {
    // syncword 0xFFF and layer 00
    if (d[p] !== 0xff || (d[p + 1]! & 0xf6) !== 0xf0) return null;
    const sampleRate = SAMPLE_RATES[(d[p + 2]! >> 2) & 0x0f];
    if (sampleRate === undefined) return null;
    const length = ((d[p + 3]! & 0x03) << 11) | (d[p + 4]! << 3) | (d[p + 5]! >> 5);
    const headerLength = d[p + 1]! & 0x01 ? 7 : 9;
    if (length <= headerLength) return null;
    return {
      codec: 'aac',
      length,
      samples: 1024 * ((d[p + 6]! & 0x03) + 1),
      sampleRate,
      channels: ((d[p + 2]! & 0x01) << 2) | (d[p + 3]! >> 6),
      dependent: false,
    };
  },
};
