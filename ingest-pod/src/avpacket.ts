/** Codecs an AVPacket can carry. `unknown` is never published; it is counted and reported instead. */
export const CODECS = [
  'h264',
  'h265',
  'aac',
  'mp2',
  'mp3',
  'ac3',
  'eac3',
  'mpeg2video',
  'av1',
  'scte35',
  'opus',
] as const;
export type Codec = (typeof CODECS)[number];

export const VIDEO_CODECS: ReadonlySet<Codec> = new Set(['h264', 'h265', 'mpeg2video', 'av1']);
export const AUDIO_CODECS: ReadonlySet<Codec> = new Set(['aac', 'mp2', 'mp3', 'ac3', 'eac3', 'opus']);

/**
 * One elementary-stream access unit. Timestamps are 90 kHz ticks, already unwrapped past the
 * 33-bit rollover (a JS number holds them exactly for about 3000 years).
 * Video is Annex B with parameter sets in front of every keyframe; AAC keeps its ADTS header;
 * SCTE-35 carries the splice_info_section.
 */
export interface AVPacket {
  codec: Codec;
  /** Track id: the TS elementary PID, or a reader-chosen small integer for RTMP/RTSP. */
  trackId: number;
  pts: number;
  dts: number;
  key: boolean;
  data: Uint8Array;
}

/** What a reader learned about a track; fills `status.inputs[].tracks`. */
export interface TrackInfo {
  trackId: number;
  codec: Codec;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
}
