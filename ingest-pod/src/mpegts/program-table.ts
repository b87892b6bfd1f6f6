// PAT -> programs -> PMTs -> elementary PIDs. Installs and removes the per-PID handlers the packet
// loop dispatches to, applying the `program` and `pids` filters, and knows what status shows:
// tracks, unknown streams, programs.
import { type AVPacket, type Codec, type TrackInfo, VIDEO_CODECS } from '../avpacket.js';
import type { DemuxContext } from './demux-context.js';
import type { ProgramInfo, UnknownStream } from './demuxer-api.js';
import { createParser } from './elementary/create-parser.js';
import { PidChannel } from './payload-handler.js';
import { PesAssembler } from './pes-assembler.js';
import { isUndeclaredPrivateData, PrivateStreamProbe } from './private-stream-probe.js';
import { type PatEntry, parsePat, parsePmt, sectionVersion } from './psi-tables.js';
import { createScte35Reader, releaseWaitingCues } from './scte35.js';
import { SectionReader } from './section-reader.js';
import { codecOf } from './stream-types.js';
import { ProgramClock } from './timestamp-unwrap.js';

export const PID_PAT = 0;
const FIRST_FREE_PID = 0x10;
const PID_NULL = 0x1fff;

interface ElementaryEntry {
  pid: number;
  /** Codec the PMT declared (the track's codec may be refined, e.g. mp2 -> mp3). */
  declared: Codec;
  track: TrackInfo;
  channel: PidChannel;
}

interface ProgramState {
  program: number;
  pmtPid: number;
  pcrPid: number;
  clock: ProgramClock;
  /** CRC of the PMT section last applied; a repeat with the same CRC is skipped. */
  pmtCrc: number;
  streams: ElementaryEntry[];
  unknown: UnknownStream[];
  /** Private-data PIDs waiting for their first PES to say what they carry. */
  probing: PidChannel[];
}

export interface ProgramFilter {
  program?: number;
  pids?: ReadonlySet<number>;
}

function crcField(section: Uint8Array): number {
  const n = section.length;
  return ((section[n - 4]! << 24) | (section[n - 3]! << 16) | (section[n - 2]! << 8) | section[n - 1]!) >>> 0;
}

function sameTrack(a: TrackInfo, b: TrackInfo): boolean {
  return (
    a.trackId === b.trackId &&
    a.codec === b.codec &&
    a.width === b.width &&
    a.height === b.height &&
    a.sampleRate === b.sampleRate &&
    a.channels === b.channels
  );
}

export class ProgramTable {
  private readonly programs = new Map<number, ProgramState>();
  private readonly patSections = new Map<number, { crc: number; entries: PatEntry[] }>();
  private patVersion = -1;
  private missingReportedFor = -1;
  private readonly unknownSeen = new Set<number>();
  /** What each probed private-data PID turned out to carry (null: nothing we read). */
  private readonly probed = new Map<number, Codec | null>();
  private tracksSeen: TrackInfo[] = [];
  private revision = 0;

  constructor(
    private readonly channels: (PidChannel | undefined)[],
    private readonly ctx: DemuxContext,
    private readonly filter: ProgramFilter,
  ) {
    channels[PID_PAT] = new PidChannel(
      PID_PAT,
      new SectionReader(PID_PAT, 'pat', ctx, (s, out) => this.onPat(s, out)),
    );
  }

  get tracks(): TrackInfo[] {
    return [...this.programs.values()].flatMap((p) => p.streams.map((e) => ({ ...e.track })));
  }

  /** See TsDemuxer.tracksRevision: compares the live tracks with a copy, without allocating. */
  get tracksRevision(): number {
    let i = 0;
    let same = true;
    for (const p of this.programs.values()) {
      for (const e of p.streams) {
        const seen = this.tracksSeen[i++];
        if (same && !(seen !== undefined && sameTrack(seen, e.track))) same = false;
      }
    }
    if (!same || i !== this.tracksSeen.length) {
      this.revision++;
      this.tracksSeen = this.tracks;
    }
    return this.revision;
  }

  get unknownStreams(): UnknownStream[] {
    return [...this.programs.values()].flatMap((p) => p.unknown.map((u) => ({ ...u })));
  }

  get programInfo(): ProgramInfo[] {
    return [...this.programs.values()].map((p) => ({
      program: p.program,
      pmtPid: p.pmtPid,
      pcrPid: p.pcrPid,
      pids: [...p.streams.map((e) => e.pid), ...p.probing.map((c) => c.pid), ...p.unknown.map((u) => u.pid)],
    }));
  }

  get bufferedBytes(): number {
    let n = this.channels[PID_PAT]!.handler.bufferedBytes;
    for (const p of this.programs.values()) {
      n += this.channels[p.pmtPid]?.handler.bufferedBytes ?? 0;
      for (const e of p.streams) n += e.channel.handler.bufferedBytes;
    }
    return n;
  }

  flush(out: AVPacket[]): void {
    this.channels[PID_PAT]!.handler.flush(out);
    for (const p of this.programs.values()) {
      this.channels[p.pmtPid]?.handler.flush(out);
      for (const e of p.streams) e.channel.handler.flush(out);
      releaseWaitingCues(p.clock, out);
    }
  }

  private onPat(section: Uint8Array, out: AVPacket[]): void {
    const entries = parsePat(section);
    if (typeof entries === 'string') {
      this.ctx.malformed(PID_PAT, entries);
      return;
    }
    if (entries === null) return;
    const version = sectionVersion(section);
    const sectionNumber = section[6]!;
    const crc = crcField(section);
    if (version === this.patVersion && this.patSections.get(sectionNumber)?.crc === crc) return;
    if (version !== this.patVersion) {
      this.patSections.clear();
      this.patVersion = version;
    }
    this.patSections.set(sectionNumber, { crc, entries });
    const all: PatEntry[] = [];
    for (let i = 0; i <= section[7]!; i++) {
      const part = this.patSections.get(i);
      if (!part) return; // wait for every section of this version
      all.push(...part.entries);
    }
    this.applyPat(all, version, out);
  }

  private applyPat(entries: PatEntry[], version: number, out: AVPacket[]): void {
    const wanted =
      this.filter.program === undefined ? entries : entries.filter((e) => e.program === this.filter.program);
    if (this.filter.program !== undefined && wanted.length === 0 && this.missingReportedFor !== version) {
      this.missingReportedFor = version;
      this.ctx.report({
        type: 'program-missing',
        program: this.filter.program,
        available: entries.map((e) => e.program),
      });
    }
    for (const state of [...this.programs.values()]) {
      const entry = wanted.find((e) => e.program === state.program);
      if (!entry || entry.pmtPid !== state.pmtPid) this.removeProgram(state, out);
    }
    for (const e of wanted) {
      if (this.programs.has(e.program)) continue;
      if (e.pmtPid < FIRST_FREE_PID || e.pmtPid === PID_NULL) {
        this.ctx.malformed(PID_PAT, `program ${e.program} has its PMT on reserved PID ${e.pmtPid}`);
        continue;
      }
      const existing = this.channels[e.pmtPid];
      if (!existing) {
        const reader = new SectionReader(e.pmtPid, 'pmt', this.ctx, (s, o) => this.onPmt(e.pmtPid, s, o));
        this.channels[e.pmtPid] = new PidChannel(e.pmtPid, reader);
      } else if (!(existing.handler instanceof SectionReader && existing.handler.table === 'pmt')) {
        this.ctx.malformed(PID_PAT, `program ${e.program} has its PMT on elementary PID ${e.pmtPid}`);
        continue;
      }
      this.programs.set(e.program, {
        program: e.program,
        pmtPid: e.pmtPid,
        pcrPid: PID_NULL,
        clock: new ProgramClock(),
        pmtCrc: -1,
        streams: [],
        unknown: [],
        probing: [],
      });
    }
  }

  private removeProgram(state: ProgramState, out: AVPacket[]): void {
    for (const e of state.streams) this.removeStream(e, out);
    for (const c of state.probing) if (this.channels[c.pid] === c) this.channels[c.pid] = undefined;
    this.programs.delete(state.program);
    if (![...this.programs.values()].some((p) => p.pmtPid === state.pmtPid))
      this.channels[state.pmtPid] = undefined;
  }

  private removeStream(entry: ElementaryEntry, out: AVPacket[]): void {
    if (this.channels[entry.pid] !== entry.channel) return;
    entry.channel.handler.flush(out);
    this.channels[entry.pid] = undefined;
  }

  private isPmtPid(pid: number): boolean {
    for (const p of this.programs.values()) if (p.pmtPid === pid) return true;
    return false;
  }

  private onPmt(pmtPid: number, section: Uint8Array, out: AVPacket[]): void {
    const pmt = parsePmt(section);
    if (pmt === null) return;
    if (typeof pmt === 'string') {
      this.ctx.malformed(pmtPid, pmt);
      return;
    }
    const state = this.programs.get(pmt.program);
    if (!state || state.pmtPid !== pmtPid) return;
    const crc = crcField(section);
    if (crc === state.pmtCrc) return;
    state.pmtCrc = crc;
    state.pcrPid = pmt.pcrPid;
    const kept: ElementaryEntry[] = [];
    const unknown: UnknownStream[] = [];
    const probing: PidChannel[] = [];
    for (const s of pmt.streams) {
      if (this.filter.pids && !this.filter.pids.has(s.pid)) continue;
      if (s.pid < FIRST_FREE_PID || s.pid === PID_NULL || this.isPmtPid(s.pid)) {
        this.ctx.malformed(pmtPid, `program ${pmt.program} lists reserved or PSI PID ${s.pid}`);
        continue;
      }
      const codec = codecOf(s) ?? (isUndeclaredPrivateData(s) ? this.probed.get(s.pid) : null);
      if (codec === undefined) {
        const waiting = state.probing.find((c) => c.pid === s.pid);
        if (waiting) probing.push(waiting);
        else if (this.channels[s.pid] || kept.some((e) => e.pid === s.pid)) {
          this.ctx.malformed(pmtPid, `PID ${s.pid} of program ${pmt.program} is already in use`);
        } else {
          const channel = this.probeChannel(state, s.pid);
          this.channels[s.pid] = channel;
          probing.push(channel);
        }
        continue;
      }
      if (!codec) {
        unknown.push({ pid: s.pid, streamType: s.streamType, program: pmt.program });
        this.reportUnknown(s.pid, s.streamType, pmt.program);
        continue;
      }
      const previous = state.streams.find((e) => e.pid === s.pid);
      if (previous?.declared === codec) {
        kept.push(previous);
        continue;
      }
      if (previous) this.removeStream(previous, out);
      else if (this.channels[s.pid] || kept.some((e) => e.pid === s.pid)) {
        this.ctx.malformed(pmtPid, `PID ${s.pid} of program ${pmt.program} is already in use`);
        continue;
      }
      const entry = this.createStream(s.pid, codec, state.clock);
      this.channels[s.pid] = entry.channel;
      kept.push(entry);
    }
    for (const old of state.streams) if (!kept.includes(old)) this.removeStream(old, out);
    for (const old of state.probing) {
      if (!probing.includes(old) && this.channels[old.pid] === old) this.channels[old.pid] = undefined;
    }
    state.streams = kept;
    state.unknown = unknown;
    state.probing = probing;
    state.clock.hasVideo = kept.some((e) => VIDEO_CODECS.has(e.declared));
  }

  /** A channel that waits for the PID's first PES, then installs the stream it shows (or reports it). */
  private probeChannel(state: ProgramState, pid: number): PidChannel {
    const channel: PidChannel = new PidChannel(
      pid,
      new PrivateStreamProbe((codec, data, start, end, out) => {
        this.probed.set(pid, codec);
        state.probing = state.probing.filter((c) => c !== channel);
        this.channels[pid] = undefined;
        if (codec === null) {
          state.unknown.push({ pid, streamType: 0x06, program: state.program });
          this.reportUnknown(pid, 0x06, state.program);
          return;
        }
        const entry = this.createStream(pid, codec, state.clock);
        entry.channel.lastCc = channel.lastCc;
        this.channels[pid] = entry.channel;
        state.streams.push(entry);
        entry.channel.handler.payload(data, start, end, true, out);
      }),
    );
    return channel;
  }

  private reportUnknown(pid: number, streamType: number, program: number): void {
    const key = pid * 256 + streamType;
    if (this.unknownSeen.has(key)) return;
    this.unknownSeen.add(key);
    this.ctx.report({ type: 'unknown-stream', pid, streamType, program });
  }

  private createStream(pid: number, codec: Codec, clock: ProgramClock): ElementaryEntry {
    if (codec === 'scte35') {
      const { reader, track } = createScte35Reader(pid, clock, this.ctx);
      return { pid, declared: codec, track, channel: new PidChannel(pid, reader) };
    }
    const parser = createParser(
      codec,
      pid,
      (detail) => this.ctx.malformed(pid, detail),
      (count, detail) => this.ctx.report({ type: 'parameter-sets-refused', pid, count, detail }),
    );
    if (!parser) throw new Error(`no parser for ${codec}`);
    const assembler = new PesAssembler(pid, parser, clock, this.ctx);
    return { pid, declared: codec, track: parser.track, channel: new PidChannel(pid, assembler) };
  }
}
