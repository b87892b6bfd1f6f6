// MPEG-1/2/2.5 audio (ISO/IEC 11172-3, 13818-3): layer III is mp3, layers I and II are mp2.
import type { AudioSyntax } from './audio-syntax.js';

const VERSION_1 = 3;
const VERSION_2 = 2;
const LAYER_3 = 1;
const LAYER_2 = 2;
const LAYER_1 = 3;

// kbit/s by bitrate_index 1..14
const BITRATES_V1: Record<number, number[]> = {
  [LAYER_1]: [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [LAYER_2]: [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [LAYER_3]: [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
};
const BITRATES_V2_LAYER_1 = [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256];
const BITRATES_V2_LAYER_2_3 = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES = [44100, 48000, 32000];

export const MPEG_AUDIO_SYNTAX: AudioSyntax = {
  headerBytes: 4,
  read(d, p) {
    if (d[p] !== 0xff || (d[p + 1]! & 0xe0) !== 0xe0) return null;
    const version = (d[p + 1]! >> 3) & 3;
    const layer = (d[p + 1]! >> 1) & 3;
    const bitrateIndex = d[p + 2]! >> 4;
    const rateIndex = (d[p + 2]! >> 2) & 3;
    // reserved version/layer/rate, and free-format or bad bitrate, are not frames we can size
    if (version === 1 || layer === 0 || rateIndex === 3 || bitrateIndex === 0 || bitrateIndex === 15)
      return null;
    const lowRate = version !== VERSION_1;
    const table = lowRate
      ? layer === LAYER_1
        ? BITRATES_V2_LAYER_1
        : BITRATES_V2_LAYER_2_3
      : BITRATES_V1[layer]!;
    const bitrate = table[bitrateIndex - 1]! * 1000;
    const sampleRate =
      SAMPLE_RATES[rateIndex]! >> (version === VERSION_1 ? 0 : version === VERSION_2 ? 1 : 2);
    const padding = (d[p + 2]! >> 1) & 1;
    let length: number;
    let samples: number;
    if (layer === LAYER_1) {
      length = (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
      samples = 384;
    } else {
      const perSlot = layer === LAYER_3 && lowRate ? 72 : 144;
      length = Math.floor((perSlot * bitrate) / sampleRate) + padding;
      samples = layer === LAYER_3 && lowRate ? 576 : 1152;
    }
    return {
      codec: layer === LAYER_3 ? 'mp3' : 'mp2',
      length,
      samples,
      sampleRate,
      channels: d[p + 3]! >> 6 === 3 ? 1 : 2,
      dependent: false,
    };
  },
};
