// H.264 and H.265 in FLV: length-prefixed NAL units in, Annex B access units out, with the
// parameter sets in front of every keyframe. Sets seen anywhere (sequence header, any frame)
// refresh the cache per kind; a keyframe that lacks a kind gets the cached one, grouped after
// its access unit delimiter in decoding order (VPS, SPS, PPS).
import type { AVPacket } from '../avpacket.js';
import { capParameterSets } from '../limits.js';
import { H264_SYNTAX } from '../mpegts/elementary/h264.js';
import { H265_SYNTAX } from '../mpegts/elementary/h265.js';
import { nextStartCode, trimTrailingZeros } from '../mpegts/elementary/start-codes.js';
import {
  UNIT_DELIMITER,
  UNIT_KEY_PICTURE,
  UNIT_PARAM,
  UNIT_PICTURE,
  type VideoSyntax,
} from '../mpegts/elementary/video-syntax.js';
import { readAvcConfig, readHevcConfig } from './decoder-config.js';
import type { FlvReporter } from './flv-api.js';
import { concatUnits, VideoTrack } from './video-track.js';

const START_CODE = Uint8Array.of(0, 0, 0, 1);
/** Units without a picture (SEI, parameter sets sent alone) wait for the next picture, up to this. */
const MAX_HELD_BYTES = 1024 * 1024;

function sameUnits(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((u, i) => Buffer.compare(u, b[i]!) === 0);
}

/** Length-prefixed units, or null when a length runs past the end. */
function splitPrefixed(body: Uint8Array, lengthSize: number): Uint8Array[] | null {
  const units: Uint8Array[] = [];
  let p = 0;
  while (p < body.length) {
    if (p + lengthSize > body.length) return null;
    let size = 0;
    for (let i = 0; i < lengthSize; i++) size = size * 256 + body[p + i]!;
    p += lengthSize;
    if (size > body.length - p) return null;
    if (size > 0) units.push(body.subarray(p, p + size));
    p += size;
  }
  return units;
}

/** Some encoders put Annex B in FLV; tried only when the length prefixes do not fit. */
function splitAnnexB(body: Uint8Array): Uint8Array[] | null {
  if (body[0] !== 0 || body[1] !== 0) return null;
  let unit = nextStartCode(body, 0, body.length);
  if (unit < 0 || unit > 1) return null;
  const units: Uint8Array[] = [];
  while (unit >= 0) {
    const next = nextStartCode(body, unit + 3, body.length);
    const end = trimTrailingZeros(body, unit + 3, next < 0 ? body.length : next);
    if (end > unit + 3) units.push(body.subarray(unit + 3, end));
    unit = next;
  }
  return units;
}

export class NalVideoTrack extends VideoTrack {
  private readonly syntax: VideoSyntax;
  private lengthSize = 4;
  /** Parameter sets by kind (H.264: SPS, PPS; H.265: VPS, SPS, PPS). */
  private readonly cache: Uint8Array[][];
  private held: Uint8Array[] = [];
  private heldBytes = 0;

  constructor(codec: 'h264' | 'h265', reporter: FlvReporter) {
    super(codec, reporter);
    this.syntax = codec === 'h264' ? H264_SYNTAX : H265_SYNTAX;
    this.cache = Array.from({ length: this.syntax.paramKinds }, () => []);
  }

  config(body: Uint8Array): void {
    const config = this.codec === 'h264' ? readAvcConfig(body) : readHevcConfig(body);
    if (typeof config === 'string') {
      this.reporter.malformed('video', config);
      return;
    }
    this.lengthSize = config.lengthSize;
    this.refreshCache(config.units, this.classify(config.units));
  }

  frame(body: Uint8Array, flvKey: boolean, dts: number, pts: number, out: AVPacket[]): void {
    const own = splitPrefixed(body, this.lengthSize) ?? splitAnnexB(body);
    if (own === null) {
      this.reporter.malformed('video', `${this.codec} NAL unit length beyond the tag`);
      return;
    }
    const units = this.held.length > 0 ? [...this.held, ...own] : own;
    const codes = this.classify(units);
    this.refreshCache(units, codes);
    let picture = false;
    let key = flvKey;
    let kinds = 0;
    for (const code of codes) {
      if (code === UNIT_PICTURE || code === UNIT_KEY_PICTURE) picture = true;
      if (code === UNIT_KEY_PICTURE) key = true;
      if (code >= UNIT_PARAM) kinds |= 1 << (code - UNIT_PARAM);
    }
    if (!picture) {
      this.hold(own);
      return;
    }
    this.held = [];
    this.heldBytes = 0;
    const missing = ((1 << this.syntax.paramKinds) - 1) & ~kinds;
    const known = this.cache.every((units, kind) => !(missing & (1 << kind)) || units.length > 0);
    if (!this.admit(key, known)) return;
    const ordered = key && missing !== 0 ? this.withParameterSets(units, codes, kinds) : units;
    this.emit(out, concatUnits(ordered, START_CODE), key, dts, pts);
  }

  private hold(units: Uint8Array[]): void {
    for (const u of units) this.heldBytes += u.length;
    if (this.heldBytes > MAX_HELD_BYTES) {
      this.reporter.malformed('video', `${this.heldBytes} bytes of ${this.codec} without a picture`);
      this.held = [];
      this.heldBytes = 0;
      return;
    }
    // Copies: the tag's buffer may be reused once push() returns.
    for (const u of units) this.held.push(u.slice());
  }

  private classify(units: readonly Uint8Array[]): number[] {
    const codes: number[] = [];
    let previous = -1;
    for (const u of units) {
      previous = this.syntax.classify(u, 0, u.length, previous);
      codes.push(previous);
    }
    return codes;
  }

  private refreshCache(units: readonly Uint8Array[], codes: readonly number[]): void {
    for (let kind = 0; kind < this.syntax.paramKinds; kind++) {
      const { kept: sets, refused } = capParameterSets(
        units.filter((_, i) => codes[i] === UNIT_PARAM + kind),
      );
      if (refused > 0) this.reporter.parameterSetsRefused(this.codec, refused);
      if (sets.length === 0 || sameUnits(sets, this.cache[kind]!)) continue;
      this.cache[kind] = sets.map((u) => u.slice());
      for (const u of sets) this.setSize(this.syntax.pictureSize(kind, u));
    }
  }

  /** Delimiter first, then every kind of parameter set (the frame's own or the cached), then the rest. */
  private withParameterSets(units: Uint8Array[], codes: number[], kinds: number): Uint8Array[] {
    const ordered: Uint8Array[] = [];
    const first = codes[0] === UNIT_DELIMITER ? 1 : 0;
    if (first === 1) ordered.push(units[0]!);
    for (let kind = 0; kind < this.syntax.paramKinds; kind++) {
      if (kinds & (1 << kind)) ordered.push(...units.filter((_, i) => codes[i] === UNIT_PARAM + kind));
      else ordered.push(...this.cache[kind]!);
    }
    for (let i = first; i < units.length; i++) if (codes[i]! < UNIT_PARAM) ordered.push(units[i]!);
    return ordered;
  }
}
