// Our access units and ffprobe's packets in one comparable shape, per PID:
//
//   assert.deepEqual(timelineOf(ourPackets), await ffprobeTimeline(file));
//
// Each entry is "codec pts/dts", plus "/key" flags for video (ffprobe flags every audio frame as a
// keyframe; AVPackets flag video keyframes only).
import { type AVPacket, VIDEO_CODECS } from '../../src/avpacket.js';
import { ffprobeCounts, ffprobePackets } from './media.js';

const OUR_CODEC: Record<string, string> = { hevc: 'h265' };

function entry(codec: string, pts: number | undefined, dts: number | undefined, key: boolean): string {
  const video = VIDEO_CODECS.has(codec as AVPacket['codec']);
  return `${codec} ${pts}/${dts}${video ? `/${key}` : ''}`;
}

/** PID -> entries, PIDs in ascending order. */
export type Timeline = Map<number, string[]>;

export function timelineOf(packets: readonly AVPacket[]): Timeline {
  const byPid = new Map<number, string[]>();
  for (const p of packets) {
    const list = byPid.get(p.trackId) ?? [];
    list.push(entry(p.codec, p.pts, p.dts, p.key));
    byPid.set(p.trackId, list);
  }
  return new Map([...byPid].sort(([a], [b]) => a - b));
}

export async function ffprobeTimeline(file: string): Promise<Timeline> {
  const streams = await ffprobeCounts(file);
  const packets = await ffprobePackets(file);
  const byPid = new Map<number, string[]>();
  for (const s of streams) {
    const codec = OUR_CODEC[s.codec] ?? s.codec;
    byPid.set(
      s.pid!,
      (packets.get(s.index) ?? []).map((p) => entry(codec, p.pts, p.dts, p.key)),
    );
  }
  return new Map([...byPid].sort(([a], [b]) => a - b));
}
