// What must hold for any converter output, whatever the input: shared by the fuzz test and bench.
import type { AVPacket } from '../../src/avpacket.js';
import { FlvConverter } from '../../src/flv/flv-converter.js';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { ADTS_SYNTAX } from '../../src/mpegts/elementary/adts.js';

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'extend'; bytes: Uint8Array }
  /** Overwrites bytes, e.g. a length field with 0xff… (lengths past the end). */
  | { kind: 'overwrite'; at: number; bytes: Uint8Array };

export function mutate(data: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let d = Uint8Array.from(data);
  for (const m of mutations) {
    if (m.kind === 'flip' && d.length > 0) d[m.at % d.length]! ^= 1 << m.bit;
    else if (m.kind === 'truncate') d = d.subarray(0, m.keep % (d.length + 1));
    else if (m.kind === 'extend') d = Uint8Array.from([...d, ...m.bytes]);
    else if (m.kind === 'overwrite' && d.length > 0) {
      const at = m.at % d.length;
      d.set(m.bytes.subarray(0, d.length - at), at);
    }
  }
  return d;
}

/** Throws when a packet is not well-formed; `inOrder`: DTS must not go back per track. */
export function checkPackets(packets: readonly AVPacket[], inOrder: boolean): void {
  const lastDts = new Map<number, number>();
  for (const p of packets) {
    if (!Number.isSafeInteger(p.pts) || !Number.isSafeInteger(p.dts))
      throw new Error(`pts/dts ${p.pts}/${p.dts}`);
    if (p.dts < 0) throw new Error(`negative dts ${p.dts}`);
    if (p.data.length === 0) throw new Error('empty packet');
    const video = p.codec === 'h264' || p.codec === 'h265' || p.codec === 'av1';
    if (p.trackId !== (video ? 0 : 1)) throw new Error(`${p.codec} on track ${p.trackId}`);
    const d = p.data;
    if (
      (p.codec === 'h264' || p.codec === 'h265') &&
      !(d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 1)
    ) {
      throw new Error(`${p.codec} without a start code`);
    }
    if (p.codec === 'av1' && !(d[0] === 0x12 && d[1] === 0))
      throw new Error('av1 without a temporal delimiter');
    if (p.codec === 'aac' && ADTS_SYNTAX.read(d, 0)?.length !== d.length) throw new Error('aac without ADTS');
    if (!video && p.pts !== p.dts) throw new Error('audio pts != dts');
    const last = lastDts.get(p.trackId);
    if (inOrder && last !== undefined && p.dts < last) throw new Error(`dts ${p.dts} after ${last}`);
    lastDts.set(p.trackId, p.dts);
  }
}

/** Converts the tags, checks the output and the counters; returns the packets. */
export function convertChecked(tags: readonly FlvTag[], inOrder: boolean): AVPacket[] {
  const converter = new FlvConverter();
  const packets: AVPacket[] = [];
  for (const t of tags) packets.push(...converter.push(t));
  checkPackets(packets, inOrder);
  const stats = converter.stats;
  if (stats.tags !== tags.length || stats.packets !== packets.length) throw new Error('counters disagree');
  return packets;
}
