// What the FLV converter reports besides packets: events, counters, and the unsupported tracks.

/** Which kind of tag an event is about ('other': a tag type that is none of the three). */
export type FlvMedia = 'video' | 'audio' | 'script' | 'other';

/** Track ids the converter gives its packets: FLV has at most one video and one audio track. */
export const FLV_TRACK_ID = { video: 0, audio: 1 } as const;

/**
 * A codec the converter cannot turn into AVPackets (VP6, Nellymoser, Opus, vp09, multitrack
 * framing, AAC that ADTS cannot carry…). Its tags are counted in `stats.unsupported`.
 */
export interface UnsupportedTrack {
  media: 'video' | 'audio';
  /** A readable name: 'vp6', 'nellymoser', 'fourcc Opus', 'aac object type 42'. */
  codec: string;
}

export type FlvEvent =
  /** Raised when a track turns to a codec it cannot convert (once per change, not per tag). */
  | ({ type: 'unsupported' } & UnsupportedTrack)
  /** A tag that could not be read; nothing, or only part of it, was used. */
  | { type: 'malformed'; media: FlvMedia; detail: string }
  /** A keyframe dropped because no parameter sets (AV1: sequence header) were known for it. */
  | { type: 'keyframe-without-parameter-sets'; codec: string }
  /** Parameter sets (AV1: sequence headers) not cached: over the size or count cap. */
  | { type: 'parameter-sets-refused'; codec: string; count: number };

export interface FlvStats {
  /** Tags pushed. */
  tags: number;
  /** AVPackets returned. */
  packets: number;
  /** AAC frames dropped because no AudioSpecificConfig had arrived yet. */
  audioBeforeConfig: number;
  /** Keyframes dropped for lack of parameter sets (each also an event). */
  keyframesWithoutParameterSets: number;
  /**
   * Non-key frames dropped because no decodable keyframe came before them (stream start, or
   * after a dropped keyframe): a decoder can do nothing with them.
   */
  videoBeforeKeyframe: number;
  /** Tags of unsupported codecs. */
  unsupported: number;
  /** Tags (or parts of them) that could not be read (each also an event). */
  malformed: number;
  /** Parameter sets not cached for being over the size or count cap. */
  parameterSetsRefused: number;
}

export function emptyFlvStats(): FlvStats {
  return {
    tags: 0,
    packets: 0,
    audioBeforeConfig: 0,
    keyframesWithoutParameterSets: 0,
    videoBeforeKeyframe: 0,
    unsupported: 0,
    malformed: 0,
    parameterSetsRefused: 0,
  };
}

export interface FlvConverterOptions {
  onEvent?: (event: FlvEvent) => void;
}

/** Counters and the event callback, shared by the converter and its per-track parts. */
export class FlvReporter {
  readonly stats = emptyFlvStats();

  constructor(private readonly onEvent: ((event: FlvEvent) => void) | undefined) {}

  malformed(media: FlvMedia, detail: string): void {
    this.stats.malformed++;
    this.onEvent?.({ type: 'malformed', media, detail });
  }

  keyframeWithoutParameterSets(codec: string): void {
    this.stats.keyframesWithoutParameterSets++;
    this.onEvent?.({ type: 'keyframe-without-parameter-sets', codec });
  }

  parameterSetsRefused(codec: string, count: number): void {
    this.stats.parameterSetsRefused += count;
    this.onEvent?.({ type: 'parameter-sets-refused', codec, count });
  }

  unsupported(track: UnsupportedTrack): void {
    this.onEvent?.({ type: 'unsupported', ...track });
  }
}
