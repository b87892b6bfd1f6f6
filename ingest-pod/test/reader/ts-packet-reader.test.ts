import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import type { ByteSource } from '../../src/reader/byte-source.js';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { TsPacketReader } from '../../src/reader/ts-packet-reader.js';
import { ffprobeCounts, makeTsFile, type ProbedStream } from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';

let dir: TempDir;
let bytes: Buffer;
let probed: ProbedStream[];

before(async () => {
  dir = await makeTempDir();
  const file = await makeTsFile(dir.path, { seconds: 2, video: 'h264-bframes' });
  bytes = await readFile(file);
  probed = await ffprobeCounts(file);
});
after(() => dir.remove());

/** Replays a buffer in odd-sized chunks, several per read. */
class BufferSource implements ByteSource {
  dropped = 7;
  stallTimeoutMs = 1234;
  opens = 0;
  private at = 0;
  constructor(private readonly data: Uint8Array) {}
  async open(): Promise<void> {
    this.opens++;
    this.at = 0;
  }
  async read(): Promise<Uint8Array[] | null> {
    if (this.at >= this.data.length) return null;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 3 && this.at < this.data.length; i++) {
      const size = 1000 + ((this.at * 31) % 3000);
      chunks.push(this.data.subarray(this.at, this.at + size));
      this.at += size;
    }
    return chunks;
  }
  async close(): Promise<void> {}
}

async function readAll(reader: TsPacketReader): Promise<AVPacket[]> {
  const out: AVPacket[] = [];
  for (let b = await reader.read(); b !== null; b = await reader.read()) {
    assert.ok(b.length > 0, 'a batch is never empty');
    out.push(...b);
  }
  return out;
}

function countByTrack(packets: AVPacket[]): Map<number, { frames: number; keyframes: number }> {
  const counts = new Map<number, { frames: number; keyframes: number }>();
  for (const p of packets) {
    const c = counts.get(p.trackId) ?? { frames: 0, keyframes: 0 };
    c.frames++;
    if (p.key) c.keyframes++;
    counts.set(p.trackId, c);
  }
  return counts;
}

test('bytes through the demuxer: per-track counts match ffprobe, the last AU comes from the flush', async () => {
  const events: ReaderEvent[] = [];
  const source = new BufferSource(bytes);
  const reader = new TsPacketReader(source, {}, (e) => events.push(e));
  await reader.open(new AbortController().signal);
  const packets = await readAll(reader);
  const counts = countByTrack(packets);
  for (const s of probed) {
    assert.equal(counts.get(s.pid!)?.frames, s.frames, s.codec);
    if (s.codec === 'h264') assert.equal(counts.get(s.pid!)?.keyframes, s.keyframes);
  }
  assert.equal(reader.counters.bytes, bytes.length);
  assert.equal(reader.counters.tsPackets, bytes.length / 188);
  assert.equal(reader.counters.dropped, 7);
  assert.equal(reader.stallTimeoutMs, 1234);
  assert.deepEqual(
    reader.tracks.map((t) => t.codec),
    ['h264', 'aac'],
  );
  // A 'tracks' event each time the demuxer learned more; the last one is the full picture.
  assert.ok(events.length > 0 && events.every((e) => e.type === 'tracks'));
  const last = events.at(-1);
  assert.deepEqual(last?.type === 'tracks' ? last.tracks : [], reader.tracks);
  assert.equal(await reader.read(), null, 'stays ended');
  // Reopen: a fresh demuxer, the same access units again.
  await reader.open(new AbortController().signal);
  assert.equal((await readAll(reader)).length, packets.length);
  assert.equal(source.opens, 2);
});

test('the program and PID filters reach the demuxer', async () => {
  const video = probed.find((s) => s.codec === 'h264')!;
  const reader = new TsPacketReader(new BufferSource(bytes), { pids: [0, 4096, video.pid!] });
  await reader.open(new AbortController().signal);
  const packets = await readAll(reader);
  assert.deepEqual([...new Set(packets.map((p) => p.trackId))], [video.pid]);
});

test('demuxer notices become events, at most one per kind per second', async () => {
  const broken = Buffer.from(bytes);
  // Skip every 10th TS packet's continuity counter by duplicating the previous counter.
  for (let at = 188 * 20; at + 188 <= broken.length; at += 188 * 10) {
    broken[at + 3] = (broken[at + 3]! & 0xf0) | ((broken[at + 3]! + 5) & 0x0f);
  }
  const events: ReaderEvent[] = [];
  const reader = new TsPacketReader(new BufferSource(broken), {}, (e) => events.push(e));
  await reader.open(new AbortController().signal);
  await readAll(reader);
  const demux = events.filter((e) => e.type === 'demux');
  assert.ok(reader.counters.ccErrors > 10, `ccErrors ${reader.counters.ccErrors}`);
  assert.equal(demux.length, 1, JSON.stringify(demux));
  assert.match(
    demux[0]?.type === 'demux' ? demux[0].detail : '',
    /^continuity error on PID \d+: expected \d+, got \d+$/,
  );
});
