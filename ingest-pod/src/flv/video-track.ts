// What the AVC/HEVC and AV1 video tracks share: the picture size they report, and the rule for
// which frames may leave the converter.
import type { AVPacket, Codec } from '../avpacket.js';
import { FLV_TRACK_ID, type FlvReporter } from './flv-api.js';

export abstract class VideoTrack {
  width: number | undefined;
  height: number | undefined;
  /** An emitted keyframe came since the start or the last dropped keyframe. */
  private decodable = false;

  constructor(
    readonly codec: Codec,
    protected readonly reporter: FlvReporter,
  ) {}

  /** A decoder configuration record (sequence header); emits nothing. */
  abstract config(body: Uint8Array): void;

  /** One access unit in FLV framing; `key` is what the FLV frame type said. */
  abstract frame(body: Uint8Array, key: boolean, dts: number, pts: number, out: AVPacket[]): void;

  protected setSize(size: { width: number; height: number } | null): void {
    if (size === null) return;
    this.width = size.width;
    this.height = size.height;
  }

  /**
   * Whether a frame may go out. A keyframe needs its parameter sets (else it is dropped and
   * counted); a non-key frame needs an emitted keyframe before it, since a decoder can do nothing
   * with it otherwise (dropped and counted in videoBeforeKeyframe).
   */
  protected admit(key: boolean, hasParameterSets: boolean): boolean {
    if (key) {
      this.decodable = hasParameterSets;
      if (!hasParameterSets) this.reporter.keyframeWithoutParameterSets(this.codec);
      return hasParameterSets;
    }
    if (!this.decodable) this.reporter.stats.videoBeforeKeyframe++;
    return this.decodable;
  }

  protected emit(out: AVPacket[], data: Uint8Array, key: boolean, dts: number, pts: number): void {
    out.push({ codec: this.codec, trackId: FLV_TRACK_ID.video, pts, dts, key, data });
  }
}

/** The units one after another, each behind `prefix` (a start code, or nothing). */
export function concatUnits(units: readonly Uint8Array[], prefix: Uint8Array): Uint8Array {
  let size = 0;
  for (const u of units) size += prefix.length + u.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const u of units) {
    out.set(prefix, at);
    out.set(u, at + prefix.length);
    at += prefix.length + u.length;
  }
  return out;
}
