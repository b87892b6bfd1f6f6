// Shared by the demuxer tests: run a demuxer over bytes, group its output, look inside AUs.
import type { AVPacket } from '../../src/avpacket.js';
import type { DemuxEvent, TsDemuxer, TsDemuxerOptions } from '../../src/mpegts/index.js';
import { createTsDemuxer } from '../../src/mpegts/index.js';

export interface DemuxRun {
  packets: AVPacket[];
  events: DemuxEvent[];
  demuxer: TsDemuxer;
}

/** Feeds `bytes` in pieces of `chunk` bytes (or of the sizes `chunk` returns), then flushes. */
export function demuxAll(
  bytes: Uint8Array,
  options: TsDemuxerOptions = {},
  chunk: number | (() => number) = 65536,
): DemuxRun {
  const events: DemuxEvent[] = [];
  const demuxer = createTsDemuxer({ ...options, onEvent: (e) => events.push(e) });
  const packets: AVPacket[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const n = Math.max(1, typeof chunk === 'number' ? chunk : chunk());
    packets.push(...demuxer.push(bytes.subarray(pos, pos + n)));
    pos += n;
  }
  packets.push(...demuxer.flush());
  return { packets, events, demuxer };
}

export function byTrack(packets: readonly AVPacket[]): Map<number, AVPacket[]> {
  const tracks = new Map<number, AVPacket[]>();
  for (const p of packets) {
    const list = tracks.get(p.trackId);
    if (list) list.push(p);
    else tracks.set(p.trackId, [p]);
  }
  return tracks;
}

/** NAL unit types of an Annex B access unit, in order (H.264: 5 bits; H.265: 6 bits). */
export function nalTypes(codec: 'h264' | 'h265', data: Uint8Array): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      const header = data[i + 3]!;
      types.push(codec === 'h264' ? header & 0x1f : (header >> 1) & 0x3f);
      i += 2;
    }
  }
  return types;
}

export const DUMP_EXTENSION: Record<string, string> = {
  h264: 'h264',
  h265: 'h265',
  aac: 'aac',
  mp2: 'mp2',
  mp3: 'mp3',
  ac3: 'ac3',
  eac3: 'eac3',
  mpeg2video: 'm2v',
};

/** A comparable summary of a run, for "same output" assertions. */
export function fingerprint(packets: readonly AVPacket[]): string[] {
  return packets.map(
    (p) => `${p.codec}/${p.trackId}/${p.pts}/${p.dts}/${p.key}/${Buffer.from(p.data).toString('base64')}`,
  );
}
