import type { AVPacket, Codec, TrackInfo } from '../avpacket.js';

/** What `tributary probe` says about one track. */
export interface TrackSummary {
  id: number;
  codec: Codec;
  packets: number;
  keyframes: number;
  bytes: number;
  firstPts: number | null;
  lastPts: number | null;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  bitrateKbps: number;
}

const TICKS_PER_SECOND = 90_000;

/** Accumulates per-track figures from AVPackets; pure, so the probe command and tests share it. */
export class TrackSummaries {
  readonly #tracks = new Map<number, TrackSummary & { minDts: number; maxDts: number }>();

  add(packet: AVPacket): void {
    let track = this.#tracks.get(packet.trackId);
    if (!track) {
      track = {
        id: packet.trackId,
        codec: packet.codec,
        packets: 0,
        keyframes: 0,
        bytes: 0,
        firstPts: null,
        lastPts: null,
        bitrateKbps: 0,
        minDts: packet.dts,
        maxDts: packet.dts,
      };
      this.#tracks.set(packet.trackId, track);
    }
    track.packets++;
    if (packet.key) track.keyframes++;
    track.bytes += packet.data.byteLength;
    track.firstPts ??= packet.pts;
    track.lastPts = packet.pts;
    track.minDts = Math.min(track.minDts, packet.dts);
    track.maxDts = Math.max(track.maxDts, packet.dts);
  }

  /** Track parameters learned by the demuxer (resolution, sample rate) complete the summaries. */
  describe(infos: readonly TrackInfo[]): void {
    for (const info of infos) {
      const track = this.#tracks.get(info.trackId);
      if (!track) continue;
      if (info.width !== undefined) track.width = info.width;
      if (info.height !== undefined) track.height = info.height;
      if (info.sampleRate !== undefined) track.sampleRate = info.sampleRate;
      if (info.channels !== undefined) track.channels = info.channels;
    }
  }

  summaries(): TrackSummary[] {
    return [...this.#tracks.values()]
      .sort((a, b) => a.id - b.id)
      .map(({ minDts, maxDts, ...summary }) => {
        // Duration of n packets spans n intervals, estimated from the first n-1.
        const span = summary.packets > 1 ? ((maxDts - minDts) * summary.packets) / (summary.packets - 1) : 0;
        const seconds = span / TICKS_PER_SECOND;
        return {
          ...summary,
          bitrateKbps: seconds > 0 ? Math.round((summary.bytes * 8) / seconds / 1000) : 0,
        };
      });
  }
}
