import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { DemuxEvent, TsDemuxer, TsDemuxerOptions, TsFilter } from '../mpegts/demuxer-api.js';
import { createTsDemuxer } from '../mpegts/index.js';
import type { ByteSource } from './byte-source.js';
import type { InputReader, ReaderCounters, ReaderEvent } from './reader-api.js';

export type CreateDemuxer = (options: TsDemuxerOptions) => TsDemuxer;

/** Demuxer notices of one kind are reported at most this often; the rest are counted into the next. */
const DEMUX_EVENT_INTERVAL_MS = 1000;

function describe(event: DemuxEvent): string {
  switch (event.type) {
    case 'cc-error':
      return `continuity error on PID ${event.pid}: expected ${event.expected}, got ${event.got}`;
    case 'discontinuity':
      return `discontinuity indicator on PID ${event.pid}`;
    case 'crc-error':
      return `CRC error in ${event.table} on PID ${event.pid}`;
    case 'unknown-stream':
      return `unsupported stream type 0x${event.streamType.toString(16)} on PID ${event.pid}`;
    case 'resync':
      return `lost TS sync, skipped ${event.skippedBytes} bytes`;
    case 'oversized-pes':
      return `dropped an oversized access unit (${event.bytes} bytes) on PID ${event.pid}`;
    case 'pes-budget-exceeded':
      return `dropped a ${event.bytes}-byte partial PES on PID ${event.pid}: the demuxer's memory budget is full`;
    case 'parameter-sets-refused':
      return `ignored ${event.count} parameter sets on PID ${event.pid}: ${event.detail}`;
    case 'malformed':
      return `malformed data on PID ${event.pid}: ${event.detail}`;
    case 'program-missing':
      return `program ${event.program} is not in the PAT (it lists ${event.available.join(', ') || 'none'})`;
    default:
      return (event as { type: string }).type;
  }
}

/**
 * Any MPEG-TS transport as an InputReader: bytes from a ByteSource through the shared demuxer.
 * Each open starts a fresh demuxer (no PSI, partial PES or timestamp state carries over).
 */
export class TsPacketReader implements InputReader {
  private demuxer: TsDemuxer | undefined;
  private flushed = false;
  /** The demuxer's tracksRevision when its tracks were last reported. */
  private tracksRevision = 0;
  private lastEventAt = new Map<string, number>();
  private suppressed = new Map<string, number>();

  constructor(
    private readonly source: ByteSource,
    private readonly filter: TsFilter = {},
    private readonly onEvent?: (event: ReaderEvent) => void,
    private readonly createDemuxer: CreateDemuxer = createTsDemuxer,
  ) {}

  get tracks(): readonly TrackInfo[] {
    return this.demuxer?.tracks ?? [];
  }

  get counters(): Readonly<ReaderCounters> {
    const stats = this.demuxer?.stats;
    return {
      bytes: stats?.bytes ?? 0,
      tsPackets: stats?.tsPackets ?? 0,
      ccErrors: stats?.ccErrors ?? 0,
      unknownStreams: stats?.unknownStreams ?? 0,
      dropped: this.source.dropped,
      demuxBudgetDrops: stats?.budgetDrops ?? 0,
      parameterSetsRefused: stats?.parameterSetsRefused ?? 0,
    };
  }

  get stallTimeoutMs(): number | undefined {
    return this.source.stallTimeoutMs;
  }

  async open(signal: AbortSignal): Promise<void> {
    this.demuxer = this.createDemuxer({ ...this.filter, onEvent: (e) => this.report(e) });
    this.flushed = false;
    this.tracksRevision = this.demuxer.tracksRevision; // no tracks yet: nothing to report
    await this.source.open(signal);
  }

  async read(): Promise<AVPacket[] | null> {
    const demuxer = this.demuxer;
    if (demuxer === undefined) return null;
    for (;;) {
      const chunks = await this.source.read();
      if (chunks === null) {
        if (this.flushed) return null;
        this.flushed = true;
        const tail = demuxer.flush();
        this.noticeTracks(demuxer);
        return tail.length > 0 ? tail : null;
      }
      let packets: AVPacket[] = [];
      for (const chunk of chunks) {
        const out = demuxer.push(chunk);
        if (packets.length === 0) packets = out;
        else for (const p of out) packets.push(p);
      }
      this.noticeTracks(demuxer);
      if (packets.length > 0) return packets;
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private noticeTracks(demuxer: TsDemuxer): void {
    if (this.onEvent === undefined || demuxer.tracksRevision === this.tracksRevision) return;
    this.tracksRevision = demuxer.tracksRevision;
    this.onEvent({ type: 'tracks', tracks: demuxer.tracks });
  }

  private report(event: DemuxEvent): void {
    if (this.onEvent === undefined) return;
    const key = event.type === 'unknown-stream' ? `unknown-${event.pid}` : event.type;
    const now = Date.now();
    if (now - (this.lastEventAt.get(key) ?? Number.NEGATIVE_INFINITY) < DEMUX_EVENT_INTERVAL_MS) {
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
      return;
    }
    this.lastEventAt.set(key, now);
    const more = this.suppressed.get(key) ?? 0;
    this.suppressed.delete(key);
    if (event.type === 'unknown-stream') {
      this.onEvent({ type: 'unknown-stream', pid: event.pid, streamType: event.streamType });
      return;
    }
    this.onEvent({
      type: 'demux',
      detail: describe(event) + (more > 0 ? ` (and ${more} more like it)` : ''),
    });
  }
}
