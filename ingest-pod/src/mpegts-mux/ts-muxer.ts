// AVPackets -> MPEG-TS: one program, PAT + PMT, one PID per track, one PES (or, for SCTE-35, one
// section) per access unit. Pure: bytes out, no I/O, no timers.
import { type AVPacket, type Codec, VIDEO_CODECS } from '../avpacket.js';
import { prefixLength, writePrefix } from './au-prefix.js';
import { PidState, packetCount, TS_PACKET, type UnitStart, writeUnit } from './packetizer.js';
import { MAX_PES_HEADER, writePesHeader } from './pes-header-writer.js';
import { buildPat, buildPmt } from './psi-sections.js';
import { CUEI_REGISTRATION, type MuxStream, muxStreamOf } from './stream-map.js';

const PROGRAM_NUMBER = 1;
const PMT_PID = 0x1000;
const FIRST_ELEMENTARY_PID = 0x100;
const PAT_PID = 0;
const NO_PCR_PID = 0x1fff;

/**
 * PCR = DTS of the PCR track's access unit minus 0.7 s: ffmpeg's default mux delay, so every
 * player has seen that lead. Every AU must reach the decoder before its DTS, and live sources
 * interleave audio up to a few hundred ms behind video; a PCR closer to the DTS would make those
 * audio AUs late.
 */
const PCR_LEAD = 63_000;
/** Tables go out again when this much DTS passed since their last emission (100 ms). */
const TABLE_INTERVAL = 9_000;
/** A DTS this far behind the last table emission is a jump back, not audio lagging video (1 s). */
const BACKWARD_JUMP = 90_000;
/** Marks "tables() was just called": the next AU starts the interval instead of repeating them. */
const TABLES_FRESH = Number.NEGATIVE_INFINITY;

const EMPTY = new Uint8Array(0);
const POINTER_FIELD = new Uint8Array(1);

/** A track to carry, as the reader reported it. `channels` only matters for Opus (default 2). */
export interface MuxTrack {
  trackId: number;
  codec: Codec;
  channels?: number;
}

/** A track the muxer leaves out, and why. */
export interface SkippedTrack {
  trackId: number;
  codec: Codec;
  reason: string;
}

interface Slot {
  track: MuxTrack;
  stream: MuxStream;
  pid: PidState;
  video: boolean;
  pcr: boolean;
}

export interface MuxStats {
  /** Access units written. */
  accessUnits: number;
  /** Access units dropped: track not carried (unknown trackId, other codec, no mapping), or empty cue. */
  skippedAccessUnits: number;
}

function sameTrack(a: MuxTrack, b: MuxTrack): boolean {
  return a.trackId === b.trackId && a.codec === b.codec && (a.channels ?? 2) === (b.channels ?? 2);
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class TsMuxer {
  private slots = new Map<number, Slot>();
  private skipped: SkippedTrack[] = [];
  private readonly pat = new PidState(PAT_PID);
  private readonly pmt = new PidState(PMT_PID);
  private readonly patSection = asBuffer(buildPat(PROGRAM_NUMBER, PMT_PID));
  private pmtSection: Buffer = Buffer.alloc(0);
  private pmtVersion = 0;
  /** Tables must precede the next AU: at the start, after setTracks or a session boundary. */
  private tablesForced = true;
  private lastTablesDts = TABLES_FRESH;
  /** PES header and AU prefix of the AU being written; grows for very large Opus packets. */
  private head = new Uint8Array(64);
  private readonly unitStart: UnitStart = { randomAccess: false, pcr: -1 };
  readonly stats: MuxStats = { accessUnits: 0, skippedAccessUnits: 0 };

  constructor(tracks: readonly MuxTrack[]) {
    this.assign(tracks);
  }

  /** Tracks left out (no TS mapping, duplicate trackId); their AUs are skipped and counted. */
  get skippedTracks(): readonly SkippedTrack[] {
    return this.skipped;
  }

  /** The PID each carried track is on, by trackId (a fresh map: not for the per-packet path). */
  get pids(): ReadonlyMap<number, number> {
    return new Map([...this.slots].map(([trackId, slot]) => [trackId, slot.pid.pid]));
  }

  /** PMT version_number in force (0..31). */
  get version(): number {
    return this.pmtVersion;
  }

  /**
   * Changes the carried tracks (a new session with other tracks). A track that stays (same
   * trackId, codec, channels) keeps its PID and continuity; a changed PMT gets the next version.
   */
  setTracks(tracks: readonly MuxTrack[]): void {
    const before = this.pmtSection;
    this.assign(tracks);
    if (!sameBytes(before, this.pmtSection)) {
      this.pmtVersion = (this.pmtVersion + 1) & 0x1f;
      this.pmtSection = this.buildPmt();
      this.tablesForced = true;
    }
  }

  /** PAT + PMT, for the start of an HLS segment or an HTTP response. Advances their counters. */
  tables(): Uint8Array {
    const out = Buffer.allocUnsafe(this.tablesPackets() * TS_PACKET);
    this.writeTables(out, 0);
    this.tablesForced = false;
    this.lastTablesDts = TABLES_FRESH;
    return out;
  }

  /**
   * One access unit as TS packets (a fresh array, safe to queue on a socket), with PAT + PMT in
   * front when due. `discontinuity` marks a session boundary: the first packet of every PID after
   * it carries discontinuity_indicator. AUs of tracks not carried (and empty cues) return an empty
   * array and count in `stats.skippedAccessUnits`.
   */
  accessUnit(packet: AVPacket, opts?: { discontinuity?: boolean }): Uint8Array {
    const slot = this.slots.get(packet.trackId);
    const empty = packet.data.length === 0 && slot?.stream.carriage === 'section';
    if (slot === undefined || slot.track.codec !== packet.codec || empty) {
      this.stats.skippedAccessUnits++;
      return EMPTY;
    }
    if (opts?.discontinuity) this.markDiscontinuity();
    const withTables = this.tablesDue(packet.dts, packet.key && slot.video);
    const body = asBuffer(packet.data);
    let out: Buffer;
    let at = 0;
    if (slot.stream.carriage === 'section') {
      const count = packetCount(1 + body.length, slot.pid);
      out = Buffer.allocUnsafe(((withTables ? this.tablesPackets() : 0) + count) * TS_PACKET);
      if (withTables) at = this.writeTables(out, at);
      writeUnit(out, at, slot.pid, POINTER_FIELD, 1, body, 0, body.length, undefined, true);
    } else {
      const prefix = prefixLength(packet.codec, body);
      if (this.head.length < MAX_PES_HEADER + prefix) this.head = new Uint8Array(MAX_PES_HEADER + prefix);
      const head = this.head;
      let headLength = writePesHeader(
        head,
        slot.stream.streamId,
        packet.pts,
        packet.dts,
        prefix + body.length,
      );
      writePrefix(packet.codec, body, prefix, head, headLength);
      headLength += prefix;
      const start = this.unitStart;
      start.randomAccess = packet.key;
      start.pcr = slot.pcr ? Math.max(0, packet.dts - PCR_LEAD) : -1;
      const count = packetCount(headLength + body.length, slot.pid, start);
      out = Buffer.allocUnsafe(((withTables ? this.tablesPackets() : 0) + count) * TS_PACKET);
      if (withTables) at = this.writeTables(out, at);
      writeUnit(out, at, slot.pid, head, headLength, body, 0, body.length, start);
    }
    if (withTables) {
      this.tablesForced = false;
      this.lastTablesDts = packet.dts;
    }
    this.stats.accessUnits++;
    return out;
  }

  // Tables repeat before every video keyframe and once 100 ms of DTS passed since the last repeat.
  private tablesDue(dts: number, videoKey: boolean): boolean {
    if (this.tablesForced) return true;
    if (this.lastTablesDts === TABLES_FRESH) {
      this.lastTablesDts = dts;
      return false;
    }
    const since = dts - this.lastTablesDts;
    return videoKey || since >= TABLE_INTERVAL || since < -BACKWARD_JUMP;
  }

  private markDiscontinuity(): void {
    this.pat.discontinuity = true;
    this.pmt.discontinuity = true;
    for (const slot of this.slots.values()) slot.pid.discontinuity = true;
    this.tablesForced = true;
  }

  private tablesPackets(): number {
    return (
      packetCount(1 + this.patSection.length, this.pat) + packetCount(1 + this.pmtSection.length, this.pmt)
    );
  }

  private writeTables(out: Uint8Array, at: number): number {
    const pat = this.patSection;
    const pmt = this.pmtSection;
    at = writeUnit(out, at, this.pat, POINTER_FIELD, 1, pat, 0, pat.length, undefined, true);
    return writeUnit(out, at, this.pmt, POINTER_FIELD, 1, pmt, 0, pmt.length, undefined, true);
  }

  private assign(tracks: readonly MuxTrack[]): void {
    const previous = this.slots;
    // PIDs of tracks that stay are reserved first, so a new track never takes one.
    const staying = new Set<number>();
    const lastCc = new Map<number, number>();
    for (const old of previous.values()) lastCc.set(old.pid.pid, old.pid.cc);
    for (const track of tracks) {
      const old = previous.get(track.trackId);
      if (old && sameTrack(old.track, track)) staying.add(old.pid.pid);
    }
    const slots = new Map<number, Slot>();
    const skipped: SkippedTrack[] = [];
    let next = FIRST_ELEMENTARY_PID;
    for (const track of tracks) {
      const stream = muxStreamOf(track.codec, track.channels);
      if (stream === null) {
        skipped.push({ ...track, reason: `codec ${track.codec} has no MPEG-TS mapping players read` });
        continue;
      }
      if (slots.has(track.trackId)) {
        skipped.push({ ...track, reason: `trackId ${track.trackId} is listed twice` });
        continue;
      }
      const old = previous.get(track.trackId);
      let pid: PidState;
      if (old && sameTrack(old.track, track)) pid = old.pid;
      else {
        while (staying.has(next)) next++;
        pid = new PidState(next++);
        // A PID reused for another track continues its counter: no false continuity error.
        pid.cc = lastCc.get(pid.pid) ?? 0;
      }
      const video = VIDEO_CODECS.has(track.codec);
      slots.set(track.trackId, { track: { ...track }, stream, pid, video, pcr: false });
    }
    const carried = [...slots.values()];
    const pcrSlot = carried.find((s) => s.video) ?? carried.find((s) => s.stream.carriage === 'pes');
    if (pcrSlot) pcrSlot.pcr = true;
    this.slots = slots;
    this.skipped = skipped;
    this.pmtSection = this.buildPmt();
  }

  private buildPmt(): Buffer {
    const carried = [...this.slots.values()];
    const pcrPid = carried.find((s) => s.pcr)?.pid.pid ?? NO_PCR_PID;
    const cues = carried.some((s) => s.stream.carriage === 'section');
    const section = buildPmt(
      PROGRAM_NUMBER,
      this.pmtVersion,
      pcrPid,
      cues ? CUEI_REGISTRATION : EMPTY,
      carried.map((s) => ({
        streamType: s.stream.streamType,
        pid: s.pid.pid,
        descriptors: s.stream.descriptors,
      })),
    );
    return asBuffer(section);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
