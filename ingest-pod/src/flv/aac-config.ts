// AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), and the 7-byte ADTS header made from it.
import { BitReader } from '../mpegts/elementary/bit-reader.js';

export const AAC_SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];
/** Channels by channelConfiguration (0: a program_config_element decides). */
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0];
const AOT_SBR = 5;
const AOT_PS = 29;
const AOT_ESCAPE = 31;
const RATE_ESCAPE = 15;
/** ADTS has 2 bits of profile (objectType - 1) and 3 of channel configuration. */
const ADTS_MAX_OBJECT_TYPE = 4;
const ADTS_MAX_CHANNEL_CONFIG = 7;
export const ADTS_HEADER_BYTES = 7;
/** aac_frame_length is 13 bits and counts the header. */
export const ADTS_MAX_PAYLOAD = 8191 - ADTS_HEADER_BYTES;

export interface AacConfig {
  /** The core object type: 2 for AAC-LC, also under explicit SBR/PS signalling. */
  objectType: number;
  /** Core sample rate (the rate ADTS signals). */
  sampleRate: number;
  /** Index into AAC_SAMPLE_RATES, or 15 when the ASC gave the rate explicitly. */
  sampleRateIndex: number;
  channelConfig: number;
  channels: number;
}

function objectType(r: BitReader): number {
  const aot = r.bits(5);
  return aot === AOT_ESCAPE ? 32 + r.bits(6) : aot;
}

function sampleRate(r: BitReader): { index: number; rate: number } {
  const index = r.bits(4);
  if (index === RATE_ESCAPE) return { index, rate: r.bits(24) };
  return { index, rate: AAC_SAMPLE_RATES[index] ?? 0 };
}

/** The config, or a reason it cannot be read; see `adtsProblem` for whether ADTS can carry it. */
export function readAudioSpecificConfig(asc: Uint8Array): AacConfig | string {
  const r = new BitReader(asc);
  let aot = objectType(r);
  const rate = sampleRate(r);
  const channelConfig = r.bits(4);
  if (aot === AOT_SBR || aot === AOT_PS) {
    sampleRate(r); // extensionSamplingFrequency: the output rate, above the core
    aot = objectType(r);
  }
  if (r.overrun) return `AudioSpecificConfig of ${asc.length} bytes`;
  if (aot === 0) return 'AudioSpecificConfig with object type 0';
  if (rate.rate === 0) return `AudioSpecificConfig with sample rate index ${rate.index}`;
  return {
    objectType: aot,
    sampleRate: rate.rate,
    sampleRateIndex: rate.index,
    channelConfig,
    channels: CHANNELS[channelConfig]!,
  };
}

/** Why ADTS cannot carry this config (so the track is unsupported), or null. */
export function adtsProblem(c: AacConfig): string | null {
  if (c.objectType > ADTS_MAX_OBJECT_TYPE) return `aac object type ${c.objectType}`;
  if (c.channelConfig > ADTS_MAX_CHANNEL_CONFIG) return `aac channel configuration ${c.channelConfig}`;
  if (adtsRateIndex(c) < 0) return `aac sample rate ${c.sampleRate}`;
  return null;
}

/** An explicit rate (index 15) that equals a table rate is written as that index. */
function adtsRateIndex(c: AacConfig): number {
  return c.sampleRateIndex === RATE_ESCAPE ? AAC_SAMPLE_RATES.indexOf(c.sampleRate) : c.sampleRateIndex;
}

/** A new frame: ADTS header (MPEG-4, no CRC, one raw data block) + the raw frame. */
export function withAdtsHeader(c: AacConfig, raw: Uint8Array): Uint8Array {
  const length = ADTS_HEADER_BYTES + raw.length;
  const out = new Uint8Array(length);
  out[0] = 0xff;
  out[1] = 0xf1;
  out[2] = ((c.objectType - 1) << 6) | (adtsRateIndex(c) << 2) | (c.channelConfig >> 2);
  out[3] = ((c.channelConfig & 0x03) << 6) | (length >> 11);
  out[4] = (length >> 3) & 0xff;
  out[5] = ((length & 0x07) << 5) | 0x1f; // buffer fullness 0x7FF: variable bit rate
  out[6] = 0xfc;
  out.set(raw, ADTS_HEADER_BYTES);
  return out;
}
