// Video access units: one per PES (the way broadcast and ffmpeg mux them; a PES without PTS
// continues the one before, see pes-assembler.ts). The scan for keyframe and parameter sets walks
// the units in front of the first picture and stops there. Parameter sets are cached per kind and
// put in front of a keyframe that lacks them (after its access unit delimiter, with 4-byte start
// codes); everything else, AUD and SEI included, is passed on as the source sent it.
import type { AVPacket, TrackInfo } from '../../avpacket.js';
import { capParameterSets, MAX_PARAMETER_SET_BYTES, MAX_PARAMETER_SETS_PER_TYPE } from '../../limits.js';
import type { ElementaryParser, MalformedSink, RefusedSink } from './elementary-parser.js';
import { nextStartCode, trimTrailingZeros } from './start-codes.js';
import {
  UNIT_DELIMITER,
  UNIT_KEY_PICTURE,
  UNIT_PARAM,
  UNIT_PARAM_CONTINUED,
  UNIT_PICTURE,
  type VideoSyntax,
} from './video-syntax.js';

/** Parameter sets sent in a PES of their own wait for the next picture, up to this size. */
const MAX_HELD_BYTES = 1024 * 1024;
const START_CODE = [0, 0, 0, 1];

function sameUnits(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((u, i) => Buffer.compare(u, b[i]!) === 0);
}

export class VideoParser implements ElementaryParser {
  readonly isVideo = true;
  readonly track: TrackInfo;
  private readonly cache: Uint8Array[][];
  private held: Uint8Array | null = null;
  private lastPts = 0;
  private lastDts = 0;
  // Result of the last scan (fields, not an object, to keep the per-AU path allocation-free).
  private firstUnit = -1;
  private hasPicture = false;
  private key = false;
  private kinds = 0;
  private insertAt = 0;
  /** Triples (kind, start, end) of the parameter sets found. */
  private readonly params: number[] = [];

  constructor(
    pid: number,
    private readonly syntax: VideoSyntax,
    private readonly malformed: MalformedSink,
    private readonly refused: RefusedSink = () => {},
  ) {
    this.track = { trackId: pid, codec: syntax.codec };
    this.cache = Array.from({ length: syntax.paramKinds }, () => []);
  }

  get bufferedBytes(): number {
    return this.held?.length ?? 0;
  }

  pes(payload: Uint8Array, pts: number, dts: number, out: AVPacket[]): void {
    if (pts >= 0) {
      this.lastPts = pts;
      this.lastDts = dts;
    }
    let data = payload;
    if (this.held) {
      data = Buffer.concat([this.held, payload]);
      this.held = null;
    }
    this.scan(data);
    if (this.firstUnit < 0) {
      this.malformed('video PES without a start code');
      return;
    }
    this.cacheParameterSets(data);
    if (!this.hasPicture) {
      if (data.length > MAX_HELD_BYTES) this.malformed(`${data.length} bytes of video without a picture`);
      else this.held = data;
      return;
    }
    if (this.firstUnit > 1 || (this.firstUnit === 1 && data[0] !== 0)) {
      this.malformed('video access unit does not start with a start code');
    }
    if (this.key) data = this.withParameterSets(data);
    out.push({
      codec: this.syntax.codec,
      trackId: this.track.trackId,
      pts: this.lastPts,
      dts: this.lastDts,
      key: this.key,
      data,
    });
  }

  flush(): void {
    if (this.held) this.malformed('video parameter sets without a picture at end of stream');
    this.held = null;
  }

  private scan(d: Uint8Array): void {
    this.hasPicture = false;
    this.key = false;
    this.kinds = 0;
    this.insertAt = 0;
    this.params.length = 0;
    let unit = nextStartCode(d, 0, d.length);
    this.firstUnit = unit;
    let previous = -1;
    while (unit >= 0 && unit + 3 < d.length) {
      const body = unit + 3;
      const code = this.syntax.classify(d, body, d.length, previous);
      if (code === UNIT_PICTURE || code === UNIT_KEY_PICTURE) {
        this.hasPicture = true;
        this.key = code === UNIT_KEY_PICTURE;
        return;
      }
      const next = nextStartCode(d, body, d.length);
      const end = trimTrailingZeros(d, body, next < 0 ? d.length : next);
      if (code >= UNIT_PARAM) {
        this.kinds |= 1 << (code - UNIT_PARAM);
        this.params.push(code - UNIT_PARAM, body, end);
      } else if (code === UNIT_PARAM_CONTINUED && this.params.length > 0) {
        this.params[this.params.length - 1] = end;
      } else if (code === UNIT_DELIMITER && unit === this.firstUnit) {
        this.insertAt = end;
      }
      // A continued unit keeps the classification of the set it belongs to.
      if (code !== UNIT_PARAM_CONTINUED) previous = code;
      unit = next;
    }
  }

  private cacheParameterSets(d: Uint8Array): void {
    for (let kind = 0; kind < this.syntax.paramKinds; kind++) {
      if (!(this.kinds & (1 << kind))) continue;
      const found: Uint8Array[] = [];
      for (let i = 0; i < this.params.length; i += 3) {
        if (this.params[i] === kind) found.push(d.subarray(this.params[i + 1], this.params[i + 2]));
      }
      const { kept: units, refused } = capParameterSets(found);
      if (refused > 0) {
        this.refused(
          refused,
          `parameter sets over ${MAX_PARAMETER_SET_BYTES} bytes or beyond ${MAX_PARAMETER_SETS_PER_TYPE} of a kind`,
        );
      }
      if (units.length === 0 || sameUnits(units, this.cache[kind]!)) continue;
      this.cache[kind] = units.map((u) => u.slice());
      for (const u of units) {
        const size = this.syntax.pictureSize(kind, u);
        if (size) {
          this.track.width = size.width;
          this.track.height = size.height;
        }
      }
    }
  }

  /**
   * The keyframe with the cached sets of each kind it lacks put back in decoding order: after the
   * sets of earlier kinds it does carry, else right after its delimiter.
   */
  private withParameterSets(d: Uint8Array): Uint8Array {
    const wanted = (1 << this.syntax.paramKinds) - 1;
    if ((this.kinds & wanted) === wanted) return d;
    const insertions: { at: number; units: Uint8Array[] }[] = [];
    let extra = 0;
    for (let kind = 0; kind < this.syntax.paramKinds; kind++) {
      const units = this.cache[kind]!;
      if (this.kinds & (1 << kind) || units.length === 0) continue;
      let at = this.insertAt;
      for (let i = 0; i < this.params.length; i += 3) {
        if (this.params[i]! < kind) at = Math.max(at, this.params[i + 2]!);
      }
      insertions.push({ at, units });
      for (const u of units) extra += START_CODE.length + u.length;
    }
    if (extra === 0) return d;
    insertions.sort((a, b) => a.at - b.at);
    const out = Buffer.allocUnsafe(d.length + extra);
    let from = 0;
    let pos = 0;
    for (const { at, units } of insertions) {
      out.set(d.subarray(from, at), pos);
      pos += at - from;
      from = at;
      for (const u of units) {
        out.set(START_CODE, pos);
        out.set(u, pos + START_CODE.length);
        pos += START_CODE.length + u.length;
      }
    }
    out.set(d.subarray(from), pos);
    return out;
  }
}
