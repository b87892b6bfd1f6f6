// Reassembles the PES packets of one elementary PID. A sized PES is handed on as soon as its last
// byte arrives; an unsized one (video) when the next PES starts or at flush. A sized PES is copied
// straight into its output buffer; an unsized one into a reused scratch buffer, then once more
// into an exact-size output buffer. Output buffers then belong to the parser and its AVPackets.
import type { AVPacket } from '../avpacket.js';
import type { DemuxContext, PesHolder } from './demux-context.js';
import type { ElementaryParser } from './elementary/elementary-parser.js';
import type { PayloadHandler } from './payload-handler.js';
import { parsePesHeader, pesHeaderLength } from './pes-header.js';
import { releaseWaitingCues } from './scte35.js';
import { type ProgramClock, TimestampUnwrapper } from './timestamp-unwrap.js';

const EMPTY = Buffer.alloc(0);
const FIRST_SCRATCH_BYTES = 64 * 1024;

export class PesAssembler implements PayloadHandler, PesHolder {
  private inBody = false;
  private buf: Buffer = EMPTY;
  /** Where unsized PES are gathered; grows as needed and is reused. */
  private scratch: Buffer = EMPTY;
  private len = 0;
  /** Payload size from PES_packet_length, or -1 when unsized. */
  private expected = -1;
  private pts = -1;
  private dts = -1;
  /** A PES header split over TS packets is gathered here. */
  private readonly head = new Uint8Array(9 + 255);
  private headLen = 0;
  private collectingHeader = false;
  private readonly unwrapper = new TimestampUnwrapper();

  constructor(
    readonly pid: number,
    readonly parser: ElementaryParser,
    private readonly clock: ProgramClock,
    private readonly ctx: DemuxContext,
  ) {}

  get bufferedBytes(): number {
    return this.len + this.headLen + this.parser.bufferedBytes;
  }

  payload(data: Buffer, start: number, end: number, unitStart: boolean, out: AVPacket[]): void {
    let pos = start;
    if (unitStart) {
      if (this.collectingHeader) this.ctx.malformed(this.pid, 'PES header cut short');
      this.collectingHeader = false;
      const need = pesHeaderLength(data, pos, end - pos);
      if (end - pos < need) {
        this.headLen = end - pos;
        this.head.set(data.subarray(pos, end));
        this.collectingHeader = true;
        return;
      }
      const used = this.begin(data, pos, out);
      if (used < 0) return;
      pos += used;
    } else if (this.collectingHeader) {
      const taken = this.gatherHeader(data, pos, end);
      pos += taken;
      if (this.collectingHeader) return;
      const used = this.begin(this.head, 0, out);
      this.headLen = 0;
      if (used < 0) return;
    }
    if (this.inBody && pos < end) this.append(data, pos, end, out);
  }

  abort(): void {
    if (this.buf === this.scratch && this.scratch.length > FIRST_SCRATCH_BYTES) this.scratch = EMPTY;
    this.inBody = false;
    this.buf = EMPTY;
    this.len = 0;
    this.collectingHeader = false;
    this.headLen = 0;
    this.syncHeld();
  }

  releaseForBudget(): number {
    const held = this.heldBytes();
    this.inBody = false;
    this.buf = this.scratch = EMPTY;
    this.len = 0;
    return held;
  }

  /** Memory this PID holds for PES: the sized buffer being filled, and the scratch buffer. */
  private heldBytes(): number {
    return (this.inBody && this.buf !== this.scratch ? this.buf.length : 0) + this.scratch.length;
  }

  /** Tells the demuxer's budget what this PID holds; false when the budget dropped this PES. */
  private syncHeld(): boolean {
    this.ctx.hold(this, this.heldBytes());
    return this.inBody;
  }

  discontinuity(): void {
    this.unwrapper.discontinuity();
  }

  flush(out: AVPacket[]): void {
    if (this.collectingHeader) this.ctx.malformed(this.pid, 'PES header cut short at end of stream');
    this.collectingHeader = false;
    this.headLen = 0;
    this.finish(out);
    this.scratch = EMPTY;
    this.syncHeld();
    this.parser.flush(out);
  }

  /** Appends header bytes; returns how many it took. */
  private gatherHeader(data: Buffer, start: number, end: number): number {
    let pos = start;
    let need = pesHeaderLength(this.head, 0, this.headLen);
    while (pos < end && this.headLen < need) {
      const n = Math.min(need - this.headLen, end - pos);
      this.head.set(data.subarray(pos, pos + n), this.headLen);
      this.headLen += n;
      pos += n;
      need = pesHeaderLength(this.head, 0, this.headLen);
    }
    if (this.headLen >= need) this.collectingHeader = false;
    return pos - start;
  }

  /** Starts a PES whose complete header is at d[start]; returns the header size, or -1 if bad. */
  private begin(d: Uint8Array, start: number, out: AVPacket[]): number {
    const h = parsePesHeader(d, start);
    if (typeof h === 'string') {
      this.ctx.malformed(this.pid, h);
      this.finish(out);
      return -1;
    }
    // A video PES without PTS continues the access unit in progress (encoders that split AUs).
    if (h.pts < 0 && this.parser.isVideo && this.inBody && this.expected < 0) return h.headerBytes;
    this.finish(out);
    if (h.pts >= 0) {
      this.dts = this.unwrapper.dts(h.dts, this.clock.latestDts);
      this.pts = this.unwrapper.pts(h.pts, this.dts);
      this.clock.latestDts = this.dts;
      if (this.parser.isVideo || !this.clock.hasVideo) this.clock.cuePts = this.pts;
      if (this.clock.cuePts >= 0 && this.clock.waitingCues.length > 0) releaseWaitingCues(this.clock, out);
    } else {
      this.pts = -1;
      this.dts = -1;
    }
    this.expected = h.payloadBytes;
    if (this.expected === 0) return h.headerBytes;
    if (this.expected > this.ctx.maxAccessUnitBytes) {
      this.ctx.report({ type: 'oversized-pes', pid: this.pid, bytes: this.expected });
      return h.headerBytes;
    }
    if (this.expected > 0) this.buf = this.ctx.buffers.take(this.expected);
    else {
      if (this.scratch.length === 0) {
        this.scratch = Buffer.allocUnsafeSlow(Math.min(FIRST_SCRATCH_BYTES, this.ctx.maxAccessUnitBytes));
      }
      this.buf = this.scratch;
    }
    this.len = 0;
    this.inBody = true;
    this.syncHeld();
    return h.headerBytes;
  }

  private append(data: Buffer, start: number, end: number, out: AVPacket[]): void {
    let n = end - start;
    if (this.expected >= 0 && this.len + n > this.expected) n = this.expected - this.len;
    const need = this.len + n;
    // The buffer never exceeds the limit, so this one test also guards it.
    if (need > this.buf.length) {
      if (need > this.ctx.maxAccessUnitBytes) {
        this.ctx.report({ type: 'oversized-pes', pid: this.pid, bytes: need });
        this.abort();
        return;
      }
      // Only the scratch buffer grows: a sized PES got its exact size up front.
      const grown = Buffer.allocUnsafeSlow(
        Math.min(Math.max(need, this.buf.length * 2), this.ctx.maxAccessUnitBytes),
      );
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = this.scratch = grown;
      if (!this.syncHeld()) return;
    }
    data.copy(this.buf, this.len, start, start + n);
    this.len = need;
    if (this.len === this.expected) this.complete(out);
  }

  /** The PES in progress ends here (next PUSI, bad header, flush). */
  private finish(out: AVPacket[]): void {
    if (!this.inBody) return;
    if (this.expected < 0) this.complete(out);
    else {
      this.ctx.malformed(this.pid, `PES ended after ${this.len} of ${this.expected} payload bytes`);
      this.abort();
    }
  }

  private complete(out: AVPacket[]): void {
    let data = this.buf;
    if (this.expected < 0) {
      data = this.ctx.buffers.take(this.len);
      this.buf.copy(data, 0, 0, this.len);
    }
    this.inBody = false;
    this.buf = EMPTY;
    this.len = 0;
    if (this.expected >= 0) this.syncHeld();
    if (data.length > 0) this.parser.pes(data, this.pts, this.dts, out);
  }
}
