// MPEG-TS in other packet sizes, made from a 188-byte stream:
//
//   const m2ts = toM2ts(ts);        // 192: a 4-byte TP_extra_header in front of each packet
//   const rs = to204(ts);           // 204: 16 bytes standing in for Reed-Solomon parity after each
//   const plain = strip(m2ts, 192); // back to 188
import { runFfmpeg } from './peers.js';

const PACKET = 188;

/** Remuxes a TS file to 192-byte M2TS packets with ffmpeg, as Blu-ray tools write `.m2ts`. */
export async function remuxToM2ts(source: string, m2ts: string): Promise<void> {
  await runFfmpeg(['-i', source, '-map', '0', '-c', 'copy', '-f', 'mpegts', '-mpegts_m2ts_mode', '1', m2ts]);
}

/** Deterministic bytes (a 32-bit LCG), so a failure shows up the same way every run. */
function pseudoRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  };
}

/**
 * Each packet with an M2TS TP_extra_header in front: copy permission 0 and an arrival time stamp
 * that counts up, as ffmpeg writes them. `firstByte` replaces the header's first byte (0x47 makes
 * the header look like a sync byte).
 */
export function toM2ts(ts: Uint8Array, options: { firstByte?: number } = {}): Buffer {
  const count = ts.length / PACKET;
  const out = Buffer.alloc(count * 192);
  for (let i = 0; i < count; i++) {
    out.writeUInt32BE((i * 2731) & 0x3fffffff, i * 192);
    if (options.firstByte !== undefined) out[i * 192] = options.firstByte;
    out.set(ts.subarray(i * PACKET, (i + 1) * PACKET), i * 192 + 4);
  }
  return out;
}

/**
 * Each packet followed by 16 pseudo-random parity bytes. `hostile` puts 0x47 where a 188- and a
 * 192-byte stride would look for the next sync byte.
 */
export function to204(ts: Uint8Array, options: { hostile?: boolean; seed?: number } = {}): Buffer {
  const count = ts.length / PACKET;
  const out = Buffer.alloc(count * 204);
  const next = pseudoRandom(options.seed ?? 1);
  for (let i = 0; i < count; i++) {
    out.set(ts.subarray(i * PACKET, (i + 1) * PACKET), i * 204);
    for (let k = PACKET; k < 204; k++) out[i * 204 + k] = next();
    if (options.hostile) {
      out[i * 204 + PACKET] = 0x47;
      out[i * 204 + 192] = 0x47;
    }
  }
  return out;
}

/** The 188-byte packets of a 192- or 204-byte stream that starts on a unit boundary. */
export function strip(bytes: Uint8Array, stride: 192 | 204): Buffer {
  const count = bytes.length / stride;
  const lead = stride === 192 ? 4 : 0;
  const out = Buffer.alloc(count * PACKET);
  for (let i = 0; i < count; i++) {
    out.set(bytes.subarray(i * stride + lead, i * stride + lead + PACKET), i * PACKET);
  }
  return out;
}
