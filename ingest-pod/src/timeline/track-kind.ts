import { AUDIO_CODECS, type Codec, VIDEO_CODECS } from '../avpacket.js';

/**
 * How the timeline treats a track. Video cannot lose access units (later frames depend on earlier
 * ones); audio can; data (SCTE-35) is sparse, so gaps in it mean nothing and it simply follows the
 * media tracks' offset.
 */
export type TrackKind = 'video' | 'audio' | 'data';

export function trackKind(codec: Codec): TrackKind {
  if (VIDEO_CODECS.has(codec)) return 'video';
  if (AUDIO_CODECS.has(codec)) return 'audio';
  return 'data';
}

/** 90 kHz ticks per access unit, used until a track has shown its own spacing. */
const DEFAULT_DURATION: Partial<Record<Codec, number>> = {
  aac: 1920, // 1024 samples at 48 kHz
  mp2: 2160, // 1152 samples at 48 kHz
  mp3: 2160,
  ac3: 2880, // 1536 samples at 48 kHz
  eac3: 2880,
  opus: 1800, // 20 ms
};
const DEFAULT_VIDEO_DURATION = 3003; // 29.97 fps

export function defaultFrameDuration(codec: Codec): number {
  return DEFAULT_DURATION[codec] ?? (VIDEO_CODECS.has(codec) ? DEFAULT_VIDEO_DURATION : 1);
}
