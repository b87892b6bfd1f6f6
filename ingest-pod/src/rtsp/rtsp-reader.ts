import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { TsFilter } from '../mpegts/demuxer-api.js';
import { createTsDemuxer } from '../mpegts/index.js';
import { BatchQueue } from '../reader/batch-queue.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, ReaderCounters, ReaderEvent } from '../reader/reader-api.js';
import {
  parseSenderReports,
  RTP_CODECS,
  RtpTrack,
  rtpPayloadFromSdp,
  type TrackAnchor,
} from './rtp/index.js';
import { RtspSession } from './rtsp-session.js';
import { initialAlignment, lateTrackOffset, senderReportCorrection } from './track-alignment.js';

/** Access units held for `read()`: seconds of any sane bitrate. */
const QUEUE_BYTES = 32 * 1024 * 1024;
/** How often held RTP gaps are given up and the first-packets wait is checked. */
const POLL_MS = 50;

export interface RtspReaderOptions {
  /** The rtsp:// or rtsps:// URL, with params (credentials) already merged into its query. */
  url: string;
  timeoutMs?: number;
  insecureTLS?: boolean;
  filter?: TsFilter;
  onEvent?: (event: ReaderEvent) => void;
  now?: () => number;
}

interface Track {
  rtp: RtpTrack;
  /** MPEG-TS over RTP carries its own timestamps: it is not aligned with the others. */
  aligned: boolean;
  arrival?: TrackAnchor;
  report?: TrackAnchor;
}

/**
 * An RTSP input (cameras, encoders, VMS): the session (RtspSession) delivers RTP per track, each
 * track turns it into access units (RtpTrack), and the tracks are put on one timeline: by the
 * arrival of their first packets, corrected once by the RTCP sender reports.
 */
export class RtspReader implements InputReader {
  readonly #o: RtspReaderOptions;
  readonly #now: () => number;
  #session: RtspSession | undefined;
  #tracks: Track[] = [];
  #queue = new BatchQueue<AVPacket[]>(QUEUE_BYTES, sizeOf);
  /** Ticks added per trackId once aligned; undefined while the first packets are held. */
  #offsets: Map<number, number> | undefined;
  #held: AVPacket[] = [];
  #corrected = false;
  #openedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #failure: ReaderError | undefined;
  #seen = new Map<number, TrackInfo>();
  #notes = new Set<string>();
  #bytes = 0;
  #demuxers: ReturnType<typeof createTsDemuxer>[] = [];

  constructor(options: RtspReaderOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get tracks(): readonly TrackInfo[] {
    const fromTs = this.#demuxers.flatMap((d) => d.tracks);
    return [...this.#seen.values(), ...fromTs];
  }

  get counters(): Readonly<ReaderCounters> {
    let dropped = this.#queue.dropped;
    for (const { rtp } of this.#tracks) {
      const s = rtp.stats;
      dropped += s.lost + s.malformed + s.fragmentsLost;
    }
    const ts = this.#demuxers.map((d) => d.stats);
    return {
      bytes: this.#bytes,
      tsPackets: ts.reduce((n, s) => n + s.tsPackets, 0),
      ccErrors: ts.reduce((n, s) => n + s.ccErrors, 0),
      unknownStreams: this.#demuxers.reduce((n, d) => n + d.unknownStreams.length, 0),
      dropped,
    };
  }

  async open(signal: AbortSignal): Promise<void> {
    await this.close();
    this.#reset();
    const session = new RtspSession({
      url: this.#o.url,
      ...(this.#o.timeoutMs !== undefined && { timeoutMs: this.#o.timeoutMs }),
      ...(this.#o.insecureTLS !== undefined && { insecureTLS: this.#o.insecureTLS }),
      isSupported: (track) => (RTP_CODECS as readonly string[]).includes(track.codec),
      onRtp: (index, packet) => this.#onRtp(index, packet),
      onRtcp: (index, packet) => this.#onRtcp(index, packet),
      onError: (error) => this.#fail(error),
      log: (message) => this.#note(`rtsp: ${message}`),
    });
    this.#session = session;
    const described = await session.open(signal);
    try {
      this.#tracks = described.map((sdp, index) => {
        const payload = rtpPayloadFromSdp(sdp, () => this.#demuxer());
        if (payload === null || typeof payload === 'string') {
          const why = payload ?? `codec ${sdp.codec} is not read`;
          throw new ReaderError(
            `rtsp: ${session.shown}: track ${index} (${sdp.media} ${sdp.codec}): ${why}`,
            false,
          );
        }
        const rtp = new RtpTrack({
          trackId: index + 1,
          clockRate: sdp.clockRate,
          payloadType: sdp.payloadType,
          payload,
          onMalformed: (detail) => this.#note(`rtsp: track ${index}: ${detail}`),
        });
        return { rtp, aligned: payload.codec !== 'mp2t' };
      });
    } catch (error) {
      await session.close();
      throw error;
    }
    this.#openedAt = this.#now();
    this.#timer = setInterval(() => this.#poll(), POLL_MS);
    this.#timer.unref();
  }

  async read(): Promise<AVPacket[] | null> {
    const batches = await this.#queue.take();
    if (batches === null) {
      if (this.#failure !== undefined) throw this.#failure;
      return null;
    }
    return batches.flat();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const session = this.#session;
    this.#session = undefined;
    this.#queue.end();
    await session?.close();
  }

  #reset(): void {
    this.#queue = new BatchQueue<AVPacket[]>(QUEUE_BYTES, sizeOf);
    this.#tracks = [];
    this.#offsets = undefined;
    this.#held = [];
    this.#corrected = false;
    this.#failure = undefined;
    this.#seen.clear();
    this.#notes.clear();
    this.#demuxers = [];
  }

  #demuxer() {
    const demuxer = createTsDemuxer({ ...this.#o.filter });
    this.#demuxers.push(demuxer);
    return demuxer;
  }

  #onRtp(index: number, packet: Uint8Array): void {
    const track = this.#tracks[index];
    if (track === undefined) return;
    this.#bytes += packet.length;
    const out = track.rtp.push(packet, this.#now());
    if (track.aligned && track.arrival === undefined) {
      const anchor = track.rtp.arrivalAnchor();
      if (anchor !== null) this.#arrived(track, anchor);
    }
    this.#emit(out);
  }

  #onRtcp(index: number, packet: Uint8Array): void {
    const track = this.#tracks[index];
    if (track === undefined || !track.aligned) return;
    const report = parseSenderReports(packet).at(-1);
    if (report === undefined) return;
    track.report = track.rtp.anchorAt(report);
    this.#correctBySenderReports();
  }

  /** A track's first packet: align when all have one; a late track joins the timeline. */
  #arrived(track: Track, anchor: TrackAnchor): void {
    track.arrival = anchor;
    const offsets = this.#offsets;
    if (offsets === undefined) {
      this.#tryAlign();
      return;
    }
    const reference = this.#tracks.find((t) => t !== track && t.arrival && offsets.has(t.arrival.trackId));
    const offset = reference?.arrival
      ? lateTrackOffset(anchor, reference.arrival, offsets.get(reference.arrival.trackId) ?? 0)
      : 0;
    offsets.set(anchor.trackId, offset);
  }

  #tryAlign(): void {
    const aligned = this.#tracks.filter((t) => t.aligned);
    const anchors = aligned.flatMap((t) => (t.arrival ? [t.arrival] : []));
    const step = initialAlignment(anchors, aligned.length, this.#now() - this.#openedAt);
    if (step.kind === 'hold') return;
    this.#offsets = step.offsets;
    const held = this.#held;
    this.#held = [];
    this.#emit(held);
  }

  /** Once, when every aligned track has a sender report: the reports' timeline wins. */
  #correctBySenderReports(): void {
    if (this.#corrected || this.#offsets === undefined) return;
    const aligned = this.#tracks.filter((t) => t.aligned);
    if (aligned.length < 2 || aligned.some((t) => t.report === undefined)) return;
    this.#corrected = true;
    const corrected = senderReportCorrection(
      aligned.map((t) => t.report!),
      this.#offsets,
    );
    if (corrected === undefined) return;
    this.#offsets = corrected;
    this.#note(
      `rtsp: tracks realigned by the sender reports (offsets ${[...corrected.values()].join(', ')} ticks)`,
    );
  }

  #emit(packets: AVPacket[]): void {
    if (packets.length === 0) return;
    const offsets = this.#offsets;
    if (offsets === undefined && this.#tracks.some((t) => t.aligned)) {
      this.#held.push(...packets);
      return;
    }
    for (const packet of packets) {
      const offset = offsets?.get(packet.trackId) ?? 0;
      packet.pts += offset;
      packet.dts += offset;
      if (!this.#seen.has(packet.trackId) && this.#tracks[packet.trackId - 1]?.aligned) {
        this.#seen.set(packet.trackId, { trackId: packet.trackId, codec: packet.codec });
        this.#o.onEvent?.({ type: 'tracks', tracks: this.tracks });
      }
    }
    this.#queue.push(packets);
  }

  #poll(): void {
    const now = this.#now();
    for (const track of this.#tracks) this.#emit(track.rtp.poll(now));
    if (this.#offsets === undefined) this.#tryAlign();
  }

  #fail(error: ReaderError): void {
    this.#failure ??= error;
    this.#queue.end();
  }

  /** Each distinct detail once per open: a steady fault must not flood the events. */
  #note(detail: string): void {
    if (this.#notes.has(detail)) return;
    this.#notes.add(detail);
    this.#o.onEvent?.({ type: 'demux', detail });
  }
}

function sizeOf(packets: AVPacket[]): number {
  return packets.reduce((n, p) => n + p.data.length, 0);
}
