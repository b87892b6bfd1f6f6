// H.264/H.265 over RTP → Annex B access units. A unit ends on the marker bit or when the RTP
// timestamp changes. Parameter sets (from SDP `sprop-*`, refreshed by inline ones) go in front
// of every keyframe, and keyframes without them are dropped, by the same track code RTMP uses.
import type { AVPacket } from '../../avpacket.js';
import { FlvReporter } from '../../flv/flv-api.js';
import { NalVideoTrack } from '../../flv/nal-video-track.js';
import type { Depacketizer } from './depacketizer.js';
import { DtsEstimator } from './dts-estimator.js';
import { H264_PAYLOAD, H265_PAYLOAD, type NalPayloadFormat, NalUnpacker } from './nal-unpacker.js';
import type { RtpPacket } from './rtp-packet.js';
import type { MalformedReport, RtpTrackStats } from './rtp-stats.js';

const H264_SPS = 7;
const H264_BASELINE = 66;
/**
 * Reordering depth assumed for streams that may carry B-frames: covers x264/x265 defaults
 * (3 B-frames with a pyramid reorder by 2) with one to spare.
 */
export const DEFAULT_REORDER_DEPTH = 3;

export interface NalDepacketizerOptions {
  codec: 'h264' | 'h265';
  trackId: number;
  /** Parameter sets from SDP (`sprop-parameter-sets`, or `sprop-vps/sps/pps`), without start codes. */
  parameterSets?: readonly Uint8Array[];
  /** Overrides the reordering depth (0: no B-frames, DTS = PTS). */
  reorderDepth?: number;
}

function lengthPrefixed(units: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const u of units) size += 4 + u.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const u of units) {
    view.setUint32(at, u.length);
    out.set(u, at + 4);
    at += 4 + u.length;
  }
  return out;
}

function annexB(units: readonly Uint8Array[]): Uint8Array {
  const body = lengthPrefixed(units);
  for (let at = 0, i = 0; i < units.length; at += 4 + units[i]!.length, i++) body.set([0, 0, 0, 1], at);
  return body;
}

export class NalDepacketizer implements Depacketizer {
  private readonly format: NalPayloadFormat;
  private readonly unpacker: NalUnpacker;
  private readonly reporter: FlvReporter;
  private readonly video: NalVideoTrack;
  private dts: DtsEstimator | undefined;
  private units: Uint8Array[] = [];
  private unitPts = 0;
  private hasPicture = false;
  /** H.264 profile_idc of the latest SPS (Baseline has no B-frames). */
  private profile: number | undefined;

  constructor(
    private readonly options: NalDepacketizerOptions,
    private readonly stats: RtpTrackStats,
    private readonly malformed: MalformedReport,
  ) {
    this.format = options.codec === 'h264' ? H264_PAYLOAD : H265_PAYLOAD;
    this.unpacker = new NalUnpacker(this.format);
    this.reporter = new FlvReporter((event) => {
      if (event.type === 'malformed') this.malformed(event.detail);
    });
    this.video = new NalVideoTrack(options.codec, this.reporter);
    const sets = options.parameterSets ?? [];
    if (sets.length > 0) {
      this.noticeProfile(sets);
      this.video.config(annexB(sets));
    }
  }

  /** Picture size from the latest SPS, once known. */
  get width(): number | undefined {
    return this.video.width;
  }
  get height(): number | undefined {
    return this.video.height;
  }

  push(packet: RtpPacket, continuous: boolean, pts: number, out: AVPacket[]): void {
    if (this.units.length > 0 && pts !== this.unitPts) this.finish(out);
    const result = this.unpacker.push(packet.payload, continuous);
    if (result.fragmentLost) this.stats.fragmentsLost++;
    if (result.malformed !== undefined) {
      this.stats.malformed++;
      this.malformed(result.malformed);
    }
    if (result.units.length > 0) {
      if (this.units.length === 0) this.unitPts = pts;
      this.noticeProfile(result.units);
      for (const u of result.units) {
        if (this.isPicture(u)) this.hasPicture = true;
        // Copies: the datagram buffer is not ours to keep.
        this.units.push(u.slice());
      }
    }
    if (packet.marker) this.finish(out);
  }

  flush(out: AVPacket[]): void {
    this.finish(out);
  }

  private finish(out: AVPacket[]): void {
    if (this.units.length === 0) return;
    const pts = this.unitPts;
    const dts = this.hasPicture ? this.estimator().next(pts) : pts;
    const from = out.length;
    const before = { ...this.reporter.stats };
    this.video.frame(lengthPrefixed(this.units), false, dts, pts, out);
    this.units = [];
    this.hasPicture = false;
    for (let i = from; i < out.length; i++) out[i]!.trackId = this.options.trackId;
    const after = this.reporter.stats;
    this.stats.keyframesWithoutParameterSets +=
      after.keyframesWithoutParameterSets - before.keyframesWithoutParameterSets;
    this.stats.videoBeforeKeyframe += after.videoBeforeKeyframe - before.videoBeforeKeyframe;
    this.stats.malformed += after.malformed - before.malformed;
    this.stats.dtsClamped = this.dts?.clamped ?? 0;
  }

  private estimator(): DtsEstimator {
    if (this.dts) return this.dts;
    const noBFrames = this.options.codec === 'h264' && this.profile === H264_BASELINE;
    this.dts = new DtsEstimator(this.options.reorderDepth ?? (noBFrames ? 0 : DEFAULT_REORDER_DEPTH));
    return this.dts;
  }

  private isPicture(unit: Uint8Array): boolean {
    const type = this.format.unitType(unit);
    return this.options.codec === 'h264' ? type >= 1 && type <= 5 : type <= 31;
  }

  private noticeProfile(units: readonly Uint8Array[]): void {
    if (this.options.codec !== 'h264') return;
    for (const u of units) if ((u[0]! & 0x1f) === H264_SPS && u.length > 1) this.profile = u[1];
  }
}
