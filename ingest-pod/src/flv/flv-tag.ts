/** FLV tag types, which are also the RTMP message type ids of the same payloads. */
export const FLV_TAG = { audio: 8, video: 9, script: 18 } as const;
export type FlvTagType = (typeof FLV_TAG)[keyof typeof FLV_TAG];

/**
 * One FLV tag body as an RTMP message or an FLV file carries it: the audio/video/script data
 * after the 11-byte FLV tag header. RTMP pull, push and FLV files all feed these to one converter.
 */
export interface FlvTag {
  type: FlvTagType;
  /** Milliseconds as on the wire: 32 bits, wraps after about 49.7 days. */
  timestamp: number;
  data: Uint8Array;
}
