// What one RTP track counts besides the packets it returns.

export interface RtpTrackStats {
  /** RTP packets taken (after the reorder buffer). */
  packets: number;
  /** Sequence numbers never received. */
  lost: number;
  /** Packets put back in order. */
  reordered: number;
  /** Packets dropped as duplicates or too late. */
  duplicates: number;
  /** Packets or parts of payloads that could not be read (each also an event). */
  malformed: number;
  /** Fragmented NAL units, or AAC access units, dropped because a fragment was missing. */
  fragmentsLost: number;
  /** Keyframes dropped for lack of parameter sets. */
  keyframesWithoutParameterSets: number;
  /** Pictures dropped because no keyframe came before them. */
  videoBeforeKeyframe: number;
  /** Pictures whose estimated DTS was held up to keep DTS rising. */
  dtsClamped: number;
}

export function emptyRtpTrackStats(): RtpTrackStats {
  return {
    packets: 0,
    lost: 0,
    reordered: 0,
    duplicates: 0,
    malformed: 0,
    fragmentsLost: 0,
    keyframesWithoutParameterSets: 0,
    videoBeforeKeyframe: 0,
    dtsClamped: 0,
  };
}

/** Why part of a track's input was unusable; for logs and events. */
export type MalformedReport = (detail: string) => void;
