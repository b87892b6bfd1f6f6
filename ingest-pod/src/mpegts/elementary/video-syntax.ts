import type { Codec } from '../../avpacket.js';

/** How a video codec's units look to the access-unit builder (see video-parser.ts). */
export interface VideoSyntax {
  readonly codec: Codec;
  /** Parameter-set kinds, in the order a decoder needs them (H.264: SPS=0, PPS=1). */
  readonly paramKinds: number;
  /**
   * Classifies the unit whose first byte after the start code is d[pos] (bytes up to `end` may
   * be read). `previous` is the classification of the unit before it in the same PES.
   */
  classify(d: Uint8Array, pos: number, end: number, previous: number): number;
  /** Picture size from a parameter set of kind `kind` (the unit without its start code). */
  pictureSize(kind: number, unit: Uint8Array): { width: number; height: number } | null;
}

export const UNIT_OTHER = 0;
/** Access unit delimiter: must stay first, so prepended parameter sets go after it. */
export const UNIT_DELIMITER = 1;
/** Belongs to the parameter set before it (MPEG-2 sequence extensions). */
export const UNIT_PARAM_CONTINUED = 2;
export const UNIT_PICTURE = 3;
export const UNIT_KEY_PICTURE = 4;
/** Parameter set of kind k is UNIT_PARAM + k. */
export const UNIT_PARAM = 8;
