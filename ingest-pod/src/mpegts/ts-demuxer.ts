// The packet loop: finds 188-byte packets in chunks of any size, whether they come bare or framed
// as 192 (M2TS) or 204 (with parity) bytes (an unfinished tail is carried between pushes), regains
// sync after garbage, checks continuity, and hands payloads to the handler installed for the PID by
// the program table. Pure: bytes in, AVPackets out.
import type { AVPacket, TrackInfo } from '../avpacket.js';
import { DEMUX_PES_BUDGET_BYTES } from '../limits.js';
import { DEMUX_MAX_ACCESS_UNIT_BYTES, DemuxContext } from './demux-context.js';
import type { DemuxStats, ProgramInfo, TsDemuxer, TsDemuxerOptions, UnknownStream } from './demuxer-api.js';
import {
  leadOf,
  TS_PACKET as PACKET,
  STRIDE_LOOKAHEAD,
  TS_SYNC as SYNC,
  strideAt,
  type TsStride,
} from './packet-framing.js';
import type { PidChannel } from './payload-handler.js';
import { ProgramTable } from './program-table.js';

const PID_COUNT = 8192;

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class MpegTsDemuxer implements TsDemuxer {
  private ctx!: DemuxContext;
  private channels!: (PidChannel | undefined)[];
  private table!: ProgramTable;
  /**
   * The unfinished tail of the last push (less than STRIDE_LOOKAHEAD bytes while hunting), plus
   * the head of the next push while that tail is completed.
   */
  private readonly carry = Buffer.alloc(2 * STRIDE_LOOKAHEAD);
  private carryLen = 0;
  private synced = false;
  /** Bytes from one sync byte to the next (188, 192 or 204), as last detected. */
  private stride: TsStride = PACKET;
  /** Bytes in front of the sync byte in each unit of `stride` (4 for M2TS). */
  private lead = 0;
  /** Bytes skipped while hunting for sync, reported once sync is back. */
  private skipped = 0;
  private readonly pidFilter: ReadonlySet<number> | undefined;
  private revisionBase = 0;

  constructor(private readonly options: TsDemuxerOptions = {}) {
    this.pidFilter = options.pids ? new Set(options.pids) : undefined;
    this.reset();
  }

  reset(): void {
    // The revision keeps counting across resets, so it never returns to a value seen before.
    if (this.table !== undefined) this.revisionBase += this.table.tracksRevision + 1;
    this.ctx = new DemuxContext(
      this.options.maxAccessUnitBytes ?? DEMUX_MAX_ACCESS_UNIT_BYTES,
      this.options.onEvent,
      this.options.pesBudgetBytes ?? DEMUX_PES_BUDGET_BYTES,
    );
    this.channels = new Array<PidChannel | undefined>(PID_COUNT).fill(undefined);
    const filter: { program?: number; pids?: ReadonlySet<number> } = {};
    if (this.options.program !== undefined) filter.program = this.options.program;
    if (this.pidFilter) filter.pids = this.pidFilter;
    this.table = new ProgramTable(this.channels, this.ctx, filter);
    this.carryLen = 0;
    this.synced = false;
    this.stride = PACKET;
    this.lead = 0;
    this.skipped = 0;
  }

  get tracks(): readonly TrackInfo[] {
    return this.table.tracks;
  }

  get tracksRevision(): number {
    return this.revisionBase + this.table.tracksRevision;
  }

  get unknownStreams(): readonly UnknownStream[] {
    return this.table.unknownStreams;
  }

  get programs(): readonly ProgramInfo[] {
    return this.table.programInfo;
  }

  get packetSize(): TsStride {
    return this.stride;
  }

  get stats(): Readonly<DemuxStats> {
    return { ...this.ctx.stats, bufferedBytes: this.carryLen + this.table.bufferedBytes };
  }

  push(chunk: Uint8Array): AVPacket[] {
    const out: AVPacket[] = [];
    if (chunk.length === 0) return out;
    this.ctx.stats.bytes += chunk.length;
    const data = asBuffer(chunk);
    let pos = 0;
    if (this.carryLen > 0) {
      // Complete the carried packet in the scratch buffer, together with enough of the new chunk
      // that scanning always gets past the carried bytes (or swallows the whole chunk).
      const take = Math.min(data.length, this.carry.length - this.carryLen);
      data.copy(this.carry, this.carryLen, 0, take);
      const total = this.carryLen + take;
      const stop = this.scan(this.carry, 0, total, false, out);
      if (take === data.length) {
        this.carry.copyWithin(0, stop, total);
        this.carryLen = total - stop;
        this.ctx.stats.accessUnits += out.length;
        return out;
      }
      pos = stop - this.carryLen;
    }
    const stop = this.scan(data, pos, data.length, false, out);
    this.carryLen = data.length - stop;
    if (this.carryLen > 0) data.copy(this.carry, 0, stop, data.length);
    this.ctx.stats.accessUnits += out.length;
    return out;
  }

  flush(): AVPacket[] {
    const out: AVPacket[] = [];
    const stop = this.scan(this.carry, 0, this.carryLen, true, out);
    const left = this.carryLen - stop + this.skipped;
    if (left > 0) this.ctx.malformed(-1, `${left} bytes at end of stream are not a whole TS packet`);
    this.carryLen = 0;
    this.skipped = 0;
    this.synced = false;
    this.table.flush(out);
    this.ctx.stats.accessUnits += out.length;
    return out;
  }

  /**
   * Processes whole packets in buf[start..end) and returns where it stopped: at a packet that is
   * not complete yet, or (hunting) at a sync candidate whose successors are not in yet. `final`
   * (flush) accepts a last candidate without them.
   */
  private scan(buf: Buffer, start: number, end: number, final: boolean, out: AVPacket[]): number {
    let pos = start;
    for (;;) {
      if (this.synced) {
        const first = pos;
        const stride = this.stride;
        if (stride === PACKET) {
          while (pos + PACKET <= end && buf[pos] === SYNC) {
            this.packet(buf, pos, out);
            pos += PACKET;
          }
        } else {
          // pos is where a unit starts: its lead (M2TS header) and then the packet, or the packet
          // and then its parity.
          const lead = this.lead;
          while (pos + stride <= end && buf[pos + lead] === SYNC) {
            this.packet(buf, pos + lead, out);
            pos += stride;
          }
        }
        this.ctx.stats.tsPackets += (pos - first) / stride;
        if (pos + stride > end) return pos;
        this.synced = false;
      }
      // Hunting: a 0x47 counts as sync when more follow at 188, 192 or 204 bytes.
      let stride: TsStride;
      for (;;) {
        if (pos >= end) return pos;
        if (buf[pos] === SYNC) {
          const found = strideAt(buf, pos, end, this.stride, final);
          if (found > 0) {
            stride = found as TsStride;
            break;
          }
          if (found < 0) return pos;
        }
        pos++;
        this.skipped++;
      }
      this.stride = stride;
      this.lead = leadOf(stride);
      this.synced = true;
      // The first unit's M2TS header was skipped as if garbage; it was not.
      this.skipped -= Math.min(this.skipped, this.lead);
      if (this.skipped > 0) {
        this.ctx.report({ type: 'resync', skippedBytes: this.skipped });
        this.skipped = 0;
      }
      // The packet at pos may lack its lead in this buffer: take it alone, then go on unit by unit.
      this.packet(buf, pos, out);
      this.ctx.stats.tsPackets++;
      pos = Math.min(pos + stride - this.lead, end);
    }
  }

  private packet(b: Buffer, p: number, out: AVPacket[]): void {
    const b1 = b[p + 1]!;
    const pid = ((b1 & 0x1f) << 8) | b[p + 2]!;
    const channel = this.channels[pid];
    if (channel === undefined) return;
    if (b1 & 0x80) {
      this.ctx.malformed(pid, 'transport_error_indicator set');
      return;
    }
    const b3 = b[p + 3]!;
    const end = p + PACKET;
    let start = p + 4;
    let discontinuity = false;
    if (b3 & 0x20) {
      const afLength = b[start]!;
      discontinuity = afLength > 0 && (b[start + 1]! & 0x80) !== 0;
      start += 1 + afLength;
      if (start > end) {
        this.ctx.malformed(pid, 'adaptation_field_length beyond the packet');
        return;
      }
    }
    if (discontinuity) {
      this.ctx.report({ type: 'discontinuity', pid });
      channel.handler.discontinuity();
    }
    if ((b3 & 0x10) === 0) return; // adaptation field only: continuity_counter does not advance
    const cc = b3 & 0x0f;
    if (!discontinuity && channel.lastCc >= 0 && cc !== ((channel.lastCc + 1) & 0x0f)) {
      if (cc === channel.lastCc && !channel.duplicateSeen) {
        channel.duplicateSeen = true; // one duplicate packet is allowed; its payload is not used
        return;
      }
      this.ctx.report({ type: 'cc-error', pid, expected: (channel.lastCc + 1) & 0x0f, got: cc });
      channel.handler.abort();
    }
    channel.lastCc = cc;
    channel.duplicateSeen = false;
    if (start < end) channel.handler.payload(b, start, end, (b1 & 0x40) !== 0, out);
  }
}
