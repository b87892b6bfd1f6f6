// What the file reader tests share: reading until a condition, and the pacing rule.
import assert from 'node:assert/strict';
import type { AVPacket } from '../../src/avpacket.js';
import type { FileReader } from '../../src/file/file-reader.js';

/** Reads batches until `until` holds or the reader ends. */
export async function take(r: FileReader, until: (got: AVPacket[]) => boolean): Promise<AVPacket[]> {
  const got: AVPacket[] = [];
  while (!until(got)) {
    const batch = await r.read();
    if (batch === null) break;
    got.push(...batch);
  }
  return got;
}

/** Opens `r`, reads a second of media and checks it was not released ahead of wall time. */
export async function assertPacedByDts(r: FileReader): Promise<void> {
  await r.open(new AbortController().signal);
  const started = performance.now();
  const packets = await take(r, (got) => got.length > 0 && got.at(-1)!.dts - got[0]!.dts >= 90_000);
  const elapsedMs = performance.now() - started;
  await r.close();
  const mediaMs = (Math.max(...packets.map((p) => p.dts)) - packets[0]!.dts) / 90;
  assert.ok(mediaMs >= 1000);
  assert.ok(mediaMs <= elapsedMs + 50, `${mediaMs} ms of media released in ${elapsedMs} ms`);
}
