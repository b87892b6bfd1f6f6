import { setTimeout as sleep } from 'node:timers/promises';
import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { TsFilter } from '../mpegts/demuxer-api.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, ReaderCounters, ReaderEvent } from '../reader/reader-api.js';
import type { CreateDemuxer } from '../reader/ts-packet-reader.js';
import { type ContainerKind, chooseContainer } from './container-kind.js';
import { createContainerPass } from './container-pass.js';
import { DtsPacer } from './dts-pacer.js';
import { type FileUrl, parseFileUrl } from './file-url.js';
import { resolveVodFile } from './vod-path.js';

export interface FileReaderOptions {
  url: string;
  vodRoot?: string;
  filter?: TsFilter;
  onEvent?: (event: ReaderEvent) => void;
  /** Wall clock in ms, for pacing. */
  now?: () => number;
  createDemuxer?: CreateDemuxer;
}

/** Used between loops when a pass gave no DTS step to measure (40 ms: one frame at 25 fps). */
const DEFAULT_FRAME_TICKS = 3600;

/** Where one pass over the file started and ended, in the file's own (unwrapped) DTS. */
class PassSpan {
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;
  packets = 0;
  private lastDts = new Map<number, number>();
  private step = new Map<number, number>();

  see(p: AVPacket): void {
    this.packets++;
    this.first = Math.min(this.first, p.dts);
    this.last = Math.max(this.last, p.dts);
    const previous = this.lastDts.get(p.trackId);
    if (previous !== undefined && p.dts > previous) this.step.set(p.trackId, p.dts - previous);
    this.lastDts.set(p.trackId, p.dts);
  }

  /** Length of the pass including the last frame's duration: the offset for the next loop. */
  length(): number {
    const frame = Math.min(90_000, Math.max(0, ...this.step.values())) || DEFAULT_FRAME_TICKS;
    return this.last - this.first + frame;
  }
}

/**
 * A VodMount file (`file://<mount>/<path>`: MPEG-TS, MP4/MOV/M4V or FLV) as a live input: paced to
 * real time by DTS unless `pace=none`, looping by default with timestamps that keep increasing
 * across loops.
 */
export class FileReader implements InputReader {
  private readonly url: FileUrl;
  private pass: InputReader | undefined;
  private container: ContainerKind = 'ts';
  /** Unsupported tracks already reported: a looping file reports each once, not once per pass. */
  private unsupportedSeen = new Set<string>();
  private span = new PassSpan();
  private offset = 0;
  private path = '';
  private pending: AVPacket[] = [];
  private pendingAt = 0;
  private pacer: DtsPacer | undefined;
  private signal: AbortSignal | undefined;
  private closing = new AbortController();
  private closedCounters: ReaderCounters = { bytes: 0, tsPackets: 0, ccErrors: 0, unknownStreams: 0 };
  private lastTracks: readonly TrackInfo[] = [];
  private tracksSeen = '[]';

  constructor(private readonly options: FileReaderOptions) {
    this.url = parseFileUrl(options.url);
  }

  get tracks(): readonly TrackInfo[] {
    const current = this.pass?.tracks ?? [];
    return current.length > 0 ? current : this.lastTracks;
  }

  get counters(): Readonly<ReaderCounters> {
    const now = this.pass?.counters;
    const c = this.closedCounters;
    return {
      bytes: c.bytes + (now?.bytes ?? 0),
      tsPackets: c.tsPackets + (now?.tsPackets ?? 0),
      ccErrors: c.ccErrors + (now?.ccErrors ?? 0),
      // A gauge of what the file holds: the same in every pass, so not summed over loops.
      unknownStreams: Math.max(c.unknownStreams, now?.unknownStreams ?? 0),
      dropped: 0,
      parameterSetsRefused: (c.parameterSetsRefused ?? 0) + (now?.parameterSetsRefused ?? 0),
    };
  }

  async open(signal: AbortSignal): Promise<void> {
    await this.close();
    this.closing = new AbortController();
    this.signal = AbortSignal.any([signal, this.closing.signal]);
    this.path = await resolveVodFile(this.options.vodRoot, this.url);
    this.container = await chooseContainer(this.path);
    this.unsupportedSeen.clear();
    this.offset = 0;
    this.pending = [];
    this.pendingAt = 0;
    this.pacer = this.url.pace === 'realtime' ? new DtsPacer(this.options.now ?? Date.now) : undefined;
    await this.startPass();
  }

  async read(): Promise<AVPacket[] | null> {
    try {
      for (;;) {
        if (this.pendingAt >= this.pending.length) {
          const batch = await this.nextBatch();
          if (batch === null) return null;
          this.pending = batch;
          this.pendingAt = 0;
        }
        const ready = this.release();
        if (ready.length > 0) return ready;
        const wait = this.pacer?.delayFor(this.pending[this.pendingAt]!.dts) ?? 0;
        if (wait > 0) await sleep(wait, undefined, { signal: this.signal });
      }
    } catch (err) {
      if (this.signal?.aborted) return null;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    const pass = this.pass;
    this.pass = undefined;
    if (pass !== undefined) this.retire(pass);
    await pass?.close();
  }

  /** The pending packets that are due now (all of them when not pacing). */
  private release(): AVPacket[] {
    const from = this.pendingAt;
    let to = from;
    if (this.pacer === undefined) to = this.pending.length;
    else while (to < this.pending.length && this.pacer.delayFor(this.pending[to]!.dts) === 0) to++;
    this.pendingAt = to;
    return from === 0 && to === this.pending.length ? this.pending : this.pending.slice(from, to);
  }

  private async startPass(): Promise<void> {
    const onEvent = (event: ReaderEvent) => {
      if (event.type === 'tracks') {
        const seen = JSON.stringify(event.tracks);
        if (seen === this.tracksSeen) return;
        this.tracksSeen = seen;
      }
      this.options.onEvent?.(event);
    };
    const onUnsupportedTrack = (detail: string) => {
      if (this.unsupportedSeen.has(detail)) return;
      this.unsupportedSeen.add(detail);
      this.options.onEvent?.({ type: 'demux', detail });
    };
    const pass = await createContainerPass(this.container, this.path, {
      onEvent,
      onUnsupportedTrack,
      ...(this.options.filter !== undefined ? { filter: this.options.filter } : {}),
      ...(this.options.createDemuxer !== undefined ? { createDemuxer: this.options.createDemuxer } : {}),
    });
    if (this.signal?.aborted) return; // closed while the container's code loaded
    this.pass = pass;
    this.span = new PassSpan();
    await this.pass.open(this.signal ?? this.closing.signal);
  }

  private retire(pass: InputReader): void {
    const c = pass.counters;
    const sum = this.closedCounters;
    this.closedCounters = {
      bytes: sum.bytes + c.bytes,
      tsPackets: sum.tsPackets + c.tsPackets,
      ccErrors: sum.ccErrors + c.ccErrors,
      unknownStreams: Math.max(sum.unknownStreams, c.unknownStreams),
      parameterSetsRefused: (sum.parameterSetsRefused ?? 0) + (c.parameterSetsRefused ?? 0),
    };
    if (pass.tracks.length > 0) this.lastTracks = pass.tracks;
  }

  /** The next demuxed batch with the loop offset applied; at the end of a pass, loops or ends. */
  private async nextBatch(): Promise<AVPacket[] | null> {
    for (;;) {
      const pass = this.pass;
      if (pass === undefined) return null;
      const packets = await pass.read();
      if (packets !== null) {
        for (const p of packets) this.span.see(p);
        if (this.offset === 0) return packets;
        return packets.map((p) => ({ ...p, pts: p.pts + this.offset, dts: p.dts + this.offset }));
      }
      if (!this.url.loop) return null;
      if (this.span.packets === 0) {
        throw new ReaderError(`${this.options.url}: the file has no access units to loop over`, false);
      }
      this.offset += this.span.length();
      this.pass = undefined;
      this.retire(pass);
      await pass.close();
      await this.startPass();
    }
  }
}
