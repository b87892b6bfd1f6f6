// One RTP track of a session: datagrams in (any order), AVPackets out. Parses the header,
// reorders by sequence number, turns the RTP clock into 90 kHz ticks (plus an alignment
// offset the reader sets from sender reports), and hands packets to the payload's depacketizer.
import type { AVPacket } from '../../avpacket.js';
import type { TsDemuxer } from '../../mpegts/demuxer-api.js';
import { AacDepacketizer, type AacDepacketizerOptions } from './aac-depacketizer.js';
import type { Depacketizer } from './depacketizer.js';
import { Mp2tDepacketizer } from './mp2t-depacketizer.js';
import { NalDepacketizer } from './nal-depacketizer.js';
import { ReorderBuffer, type ReorderOptions, sequenceDelta } from './reorder-buffer.js';
import { RtpClock, type SenderReport, type TrackAnchor } from './rtp-clock.js';
import { parseRtpPacket, type RtpPacket } from './rtp-packet.js';
import { emptyRtpTrackStats, type RtpTrackStats } from './rtp-stats.js';

export type RtpPayload =
  | { codec: 'h264' | 'h265'; parameterSets?: readonly Uint8Array[]; reorderDepth?: number }
  | ({ codec: 'aac' } & Omit<AacDepacketizerOptions, 'trackId' | 'clockRate'>)
  | { codec: 'mp2t'; demuxer: TsDemuxer };

export interface RtpTrackOptions {
  trackId: number;
  /** The SDP rtpmap clock rate (90000 for video and MP2T, the sample rate for AAC). */
  clockRate: number;
  /** When set, packets of other payload types are dropped as malformed. */
  payloadType?: number;
  payload: RtpPayload;
  reorder?: Omit<ReorderOptions<RtpPacket>, 'keep'>;
  /** Why part of the input was unusable (already counted in stats.malformed). */
  onMalformed?: (detail: string) => void;
}

export class RtpTrack {
  /** Ticks added to every timestamp, to put this track on the session's common timeline. */
  offset = 0;
  private readonly counters: RtpTrackStats = emptyRtpTrackStats();
  private readonly reorder: ReorderBuffer<RtpPacket>;
  private readonly clock: RtpClock;
  private readonly depacketizer: Depacketizer;
  private previous: number | null = null;
  private first: { arrivalMs: number; ticks: number } | null = null;

  constructor(private readonly options: RtpTrackOptions) {
    // Only a packet that waits for a gap is copied: the caller may reuse its buffer after push().
    this.reorder = new ReorderBuffer<RtpPacket>({
      ...options.reorder,
      keep: (packet) => ({ ...packet, payload: packet.payload.slice() }),
    });
    this.clock = new RtpClock(options.clockRate);
    const report = (detail: string) => options.onMalformed?.(detail);
    const p = options.payload;
    if (p.codec === 'mp2t') this.depacketizer = new Mp2tDepacketizer(p.demuxer, this.counters, report);
    else if (p.codec === 'aac') {
      this.depacketizer = new AacDepacketizer(
        { ...p, trackId: options.trackId, clockRate: options.clockRate },
        this.counters,
        report,
      );
    } else this.depacketizer = new NalDepacketizer({ ...p, trackId: options.trackId }, this.counters, report);
  }

  get stats(): RtpTrackStats {
    const r = this.reorder.stats;
    return { ...this.counters, lost: r.lost, reordered: r.reordered, duplicates: r.duplicates };
  }

  /** One datagram (an RTP packet) received at `arrivalMs`; returns the AVPackets completed. */
  push(datagram: Uint8Array, arrivalMs: number): AVPacket[] {
    const packet = parseRtpPacket(datagram);
    if ('error' in packet) return this.bad(packet.error, this.poll(arrivalMs));
    if (this.options.payloadType !== undefined && packet.payloadType !== this.options.payloadType) {
      return this.bad(
        `RTP payload type ${packet.payloadType}, the track has ${this.options.payloadType}`,
        this.poll(arrivalMs),
      );
    }
    return this.take(this.reorder.push(packet.sequence, packet, arrivalMs), arrivalMs);
  }

  /** Gives up on gaps that waited too long; call on a timer when packets stop coming. */
  poll(nowMs: number): AVPacket[] {
    return this.take(this.reorder.poll(nowMs), nowMs);
  }

  /** End of stream: every held packet and unit. */
  close(): AVPacket[] {
    const out = this.take(this.reorder.drain(), Number.NaN);
    this.depacketizer.flush(out);
    return out;
  }

  /** This track's clock at a sender report of its SSRC, for `alignmentOffsets`. */
  anchorAt(report: SenderReport): TrackAnchor {
    return {
      trackId: this.options.trackId,
      wallclockSeconds: report.wallclockSeconds,
      ticks: this.clock.peek(report.rtpTimestamp),
    };
  }

  /** Without sender reports: the first packet's arrival time, a rougher anchor. Null before any packet. */
  arrivalAnchor(): TrackAnchor | null {
    if (this.first === null) return null;
    return {
      trackId: this.options.trackId,
      wallclockSeconds: this.first.arrivalMs / 1000,
      ticks: this.first.ticks,
    };
  }

  private take(packets: RtpPacket[], arrivalMs: number): AVPacket[] {
    const out: AVPacket[] = [];
    for (const packet of packets) {
      this.counters.packets++;
      const continuous = this.previous === null || sequenceDelta(packet.sequence, this.previous) === 1;
      this.previous = packet.sequence;
      const ticks = this.clock.ticks(packet.timestamp);
      this.first ??= { arrivalMs, ticks };
      this.depacketizer.push(packet, continuous, ticks + this.offset, out);
    }
    return out;
  }

  private bad(detail: string, out: AVPacket[]): AVPacket[] {
    this.counters.malformed++;
    this.options.onMalformed?.(detail);
    return out;
  }
}
