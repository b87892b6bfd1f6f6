import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { LinkStats } from '../reader/reader-api.js';
import { trackKind } from '../timeline/track-kind.js';
import type { InputMeasurements, RoundedLinkStats, TrackStats, UnknownStream } from './measurements.js';
import { SlidingRate } from './sliding-rate.js';

export interface MediaTrackerOptions {
  inputCount: number;
  now?: () => number;
  /** Trailing window of the bitrates. */
  bitrateWindowMs?: number;
}

interface TrackRecord {
  info: TrackInfo;
  rate: SlidingRate;
}

interface InputRecord {
  lastPacketAt: number | null;
  tracks: Map<number, TrackRecord>;
  unknownStreams: Map<number, UnknownStream>;
  link: RoundedLinkStats | undefined;
}

/**
 * Measures each input's media: tracks and their bitrates, unknown streams, link statistics and
 * when a packet was last published, fed by the readers and the publisher. Pure: no timers, no I/O.
 */
export class MediaTracker {
  private readonly now: () => number;
  private readonly windowMs: number;
  private inputs: InputRecord[] = [];

  constructor(options: MediaTrackerOptions) {
    this.now = options.now ?? Date.now;
    this.windowMs = options.bitrateWindowMs ?? 5000;
    this.setInputCount(options.inputCount);
  }

  /** After a live edit of the inputs: keeps what is known about the priorities that remain. */
  setInputCount(count: number): void {
    this.inputs = Array.from({ length: count }, (_, priority) => this.inputs[priority] ?? newInput());
  }

  recordPackets(priority: number, packets: readonly AVPacket[]): void {
    const input = this.inputs[priority];
    if (!input || packets.length === 0) return;
    const now = this.now();
    input.lastPacketAt = now;
    for (const packet of packets) {
      let track = input.tracks.get(packet.trackId);
      if (!track || track.info.codec !== packet.codec) {
        track = {
          info: { trackId: packet.trackId, codec: packet.codec },
          rate: new SlidingRate(this.windowMs),
        };
        input.tracks.set(packet.trackId, track);
      }
      track.rate.add(now, packet.data.length);
    }
  }

  /** What a reader learned about its tracks (resolution, sample rate, channels). */
  setTracks(priority: number, tracks: readonly TrackInfo[]): void {
    const input = this.inputs[priority];
    if (!input) return;
    for (const info of tracks) {
      const known = input.tracks.get(info.trackId);
      if (known && known.info.codec === info.codec) known.info = { ...info };
      else input.tracks.set(info.trackId, { info: { ...info }, rate: new SlidingRate(this.windowMs) });
    }
  }

  /** Forgets an input's tracks, unknown streams and link, e.g. when it reconnects to a different source. */
  clearTracks(priority: number): void {
    const input = this.inputs[priority];
    input?.tracks.clear();
    input?.unknownStreams.clear();
    if (input) input.link = undefined;
  }

  /** The transport's link statistics (SRT), or undefined once the input has no open link. */
  setLink(priority: number, stats: Readonly<LinkStats> | undefined): void {
    const input = this.inputs[priority];
    if (input) input.link = stats === undefined ? undefined : roundedLinkStats(stats);
  }

  recordUnknownStream(priority: number, stream: UnknownStream): void {
    this.inputs[priority]?.unknownStreams.set(stream.pid, { ...stream });
  }

  /** Epoch ms of the input's last published packet; null before any. */
  lastPacketAt(priority: number): number | null {
    return this.inputs[priority]?.lastPacketAt ?? null;
  }

  /** Every input's measurements now, by priority. */
  measure(): InputMeasurements[] {
    const now = this.now();
    return this.inputs.map((input) => measurementsOf(input, now));
  }
}

function newInput(): InputRecord {
  return { lastPacketAt: null, tracks: new Map(), unknownStreams: new Map(), link: undefined };
}

const whole = (n: number) => (Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0);

function roundedLinkStats(stats: Readonly<LinkStats>): RoundedLinkStats {
  return {
    rttMs: whole(stats.rttMs),
    latencyMs: whole(stats.latencyMs),
    bandwidthKbps: whole(stats.bandwidthMbps * 1000),
    receiveRateKbps: whole(stats.receiveRateMbps * 1000),
    receiveBufferMs: whole(stats.receiveBufferMs),
    packetsReceived: whole(stats.packetsReceived),
    packetsLost: whole(stats.packetsLost),
    packetsRetransmitted: whole(stats.packetsRetransmitted),
    packetsDropped: whole(stats.packetsDropped),
  };
}

function measurementsOf(input: InputRecord, now: number): InputMeasurements {
  const tracks = [...input.tracks.values()]
    .map(
      (track): TrackStats => ({
        ...track.info,
        kind: trackKind(track.info.codec),
        bitrateKbps: track.rate.kbps(now),
      }),
    )
    .sort((a, b) => a.trackId - b.trackId);
  const measured: InputMeasurements = {
    bitrateKbps: tracks.reduce((sum, track) => sum + track.bitrateKbps, 0),
    tracks,
    unknownStreams: [...input.unknownStreams.values()].sort((a, b) => a.pid - b.pid),
  };
  if (input.link !== undefined) measured.link = { ...input.link };
  return measured;
}
