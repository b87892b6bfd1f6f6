// Damaged transport streams: garbage, truncation, bad CRCs, lost and duplicated packets, transport
// errors, oversized access units. Each gives precise events, the rest of the stream intact, and
// bounded memory.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { createTsDemuxer, type DemuxEvent } from '../../src/mpegts/index.js';
import { STRIDE_LOOKAHEAD } from '../../src/mpegts/packet-framing.js';
import { makeTsFile } from '../support/media.js';
import { demuxAll, fingerprint } from './demux-helpers.js';
import { PACKET, patSection, pmtSection, TsWriter } from './ts-builder.js';

const VIDEO = 0x100;
const AUDIO = 0x101;

let dir: string;
let clean: Buffer;
let cleanPackets: AVPacket[];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-demux-malformed-'));
  clean = await readFile(await makeTsFile(dir, { video: 'h264', audio: 'aac', seconds: 2 }));
  cleanPackets = demuxAll(clean).packets;
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function pidAt(bytes: Uint8Array, index: number): number {
  return ((bytes[index * PACKET + 1]! & 0x1f) << 8) | bytes[index * PACKET + 2]!;
}

function unitStartAt(bytes: Uint8Array, index: number): boolean {
  return (bytes[index * PACKET + 1]! & 0x40) !== 0;
}

/** Index of the n-th packet of `pid` that continues a PES (no payload_unit_start). */
function continuationPacket(bytes: Uint8Array, pid: number, n: number): number {
  let seen = 0;
  for (let i = 0; i < bytes.length / PACKET; i++) {
    if (pidAt(bytes, i) === pid && !unitStartAt(bytes, i) && seen++ === n) return i;
  }
  throw new Error('no such packet');
}

function withoutPacket(bytes: Buffer, index: number): Buffer {
  return Buffer.concat([bytes.subarray(0, index * PACKET), bytes.subarray((index + 1) * PACKET)]);
}

/** The access unit (by DTS) that contains TS packet `index` of `pid`. */
function auContaining(bytes: Buffer, pid: number, index: number): AVPacket {
  const before = demuxAll(bytes.subarray(0, (index + 1) * PACKET)).packets.filter((p) => p.trackId === pid);
  return before.at(-1)!;
}

describe('garbage', () => {
  it('before the first packet: one resync event with the exact byte count, same output', () => {
    const garbage = Buffer.alloc(1000, 0xa5);
    const { packets, events, demuxer } = demuxAll(Buffer.concat([garbage, clean]), {}, 1316);
    assert.deepEqual(events, [{ type: 'resync', skippedBytes: 1000 }]);
    assert.deepEqual(fingerprint(packets), fingerprint(cleanPackets));
    assert.equal(demuxer.stats.resyncs, 1);
  });

  it('between two packets, with false sync bytes in it: one resync, nothing lost', () => {
    const cut = 40 * PACKET;
    // Two 0x47 one packet apart (a pair is not enough to lock on) and a lone one.
    const garbage = Buffer.alloc(600, 0x20);
    for (const at of [10, 10 + PACKET, 300]) garbage[at] = 0x47;
    const bytes = Buffer.concat([clean.subarray(0, cut), garbage, clean.subarray(cut)]);
    const { packets, events } = demuxAll(bytes, {}, 777);
    assert.deepEqual(events, [{ type: 'resync', skippedBytes: garbage.length }]);
    assert.deepEqual(fingerprint(packets), fingerprint(cleanPackets));
  });

  it('random bytes only: no output, no crash, never more held than sync detection looks ahead', () => {
    const d = createTsDemuxer();
    for (let i = 0; i < 64; i++) {
      assert.deepEqual(d.push(randomBytes(65536)), []);
      assert.ok(d.stats.bufferedBytes < STRIDE_LOOKAHEAD);
    }
    d.flush();
    assert.equal(d.stats.bufferedBytes, 0);
  });
});

describe('truncation', () => {
  it('mid-packet: the tail is reported, every earlier access unit is intact', () => {
    // Cut inside an audio packet that continues a PES, so that PES is left incomplete.
    const cutAt = continuationPacket(clean, AUDIO, 100) * PACKET + 77;
    const { packets, events } = demuxAll(clean.subarray(0, cutAt));
    assert.equal(events.length, 2);
    assert.deepEqual(events[0], {
      type: 'malformed',
      pid: -1,
      detail: '77 bytes at end of stream are not a whole TS packet',
    });
    const pes = events[1] as Extract<DemuxEvent, { type: 'malformed' }>;
    assert.equal(pes.pid, AUDIO);
    assert.match(pes.detail, /^PES ended after \d+ of \d+ payload bytes$/);
    const expected = fingerprint(cleanPackets);
    const got = fingerprint(packets);
    // The unsized video PES in progress is flushed with what arrived; everything else is whole.
    const video = packets.filter((p) => p.trackId === VIDEO);
    const cutVideo = fingerprint([video.at(-1)!])[0];
    for (const fp of got) if (fp !== cutVideo) assert.ok(expected.includes(fp), 'an intact access unit');
    assert.ok(packets.length > cleanPackets.length / 4);
  });
});

describe('CRC', () => {
  it('every PMT damaged: one crc-error per PMT copy, no tracks, no output', () => {
    const bytes = Buffer.from(clean);
    let pmts = 0;
    for (let i = 0; i < bytes.length / PACKET; i++) {
      if (pidAt(bytes, i) !== 0x1000) continue;
      bytes[i * PACKET + 10]! ^= 0x01; // inside the section, so the CRC no longer matches
      pmts++;
    }
    assert.ok(pmts > 1);
    const { packets, events, demuxer } = demuxAll(bytes);
    assert.equal(packets.length, 0);
    assert.deepEqual(events, new Array(pmts).fill({ type: 'crc-error', pid: 0x1000, table: 'pmt' }));
    assert.deepEqual(demuxer.tracks, []);
  });

  it('a bad PAT is ignored until a good one arrives', () => {
    const pat = patSection([{ program: 1, pmtPid: 0x1000 }]);
    const bad = Uint8Array.from(pat);
    bad[bad.length - 1]! ^= 0xff;
    const aac = Uint8Array.from([0xff, 0xf1, 0x4c, 0x80, 0x01, 0xff, 0xfc, 1, 2, 3, 4, 5, 6, 7, 8]);
    const w = new TsWriter()
      .section(0, bad)
      .section(0x1000, pmtSection(1, AUDIO, [{ streamType: 0x0f, pid: AUDIO }]))
      .pes(AUDIO, aac, { streamId: 0xc0, pts: 1000 })
      .section(0, pat)
      .section(0x1000, pmtSection(1, AUDIO, [{ streamType: 0x0f, pid: AUDIO }]))
      .pes(AUDIO, aac, { streamId: 0xc0, pts: 5000 });
    const { packets, events } = demuxAll(w.bytes());
    assert.deepEqual(events, [{ type: 'crc-error', pid: 0, table: 'pat' }]);
    assert.deepEqual(
      packets.map((p) => p.pts),
      [5000],
    );
  });
});

describe('continuity', () => {
  it('a lost video packet: one cc-error naming the counters, only that access unit is dropped', () => {
    const index = continuationPacket(clean, VIDEO, 100);
    const lost = auContaining(clean, VIDEO, index);
    const cc = clean[index * PACKET + 3]! & 0x0f;
    const { packets, events, demuxer } = demuxAll(withoutPacket(clean, index));
    assert.deepEqual(events, [{ type: 'cc-error', pid: VIDEO, expected: cc, got: (cc + 1) & 0x0f }]);
    assert.equal(demuxer.stats.ccErrors, 1);
    const expected = cleanPackets.filter(
      (p) => p !== cleanPackets.find((q) => q.trackId === VIDEO && q.dts === lost.dts),
    );
    assert.equal(packets.length, cleanPackets.length - 1);
    assert.deepEqual(fingerprint(packets), fingerprint(expected));
  });

  it('a duplicated packet is passed over silently', () => {
    const index = continuationPacket(clean, VIDEO, 50);
    const packet = clean.subarray(index * PACKET, (index + 1) * PACKET);
    const bytes = Buffer.concat([
      clean.subarray(0, (index + 1) * PACKET),
      packet,
      clean.subarray((index + 1) * PACKET),
    ]);
    const { packets, events } = demuxAll(bytes);
    assert.deepEqual(events, []);
    assert.deepEqual(fingerprint(packets), fingerprint(cleanPackets));
  });

  it('transport_error_indicator: the packet is skipped and reported, its access unit dropped', () => {
    const index = continuationPacket(clean, AUDIO, 3);
    const bytes = Buffer.from(clean);
    bytes[index * PACKET + 1]! |= 0x80;
    const cc = clean[index * PACKET + 3]! & 0x0f;
    const { packets, events } = demuxAll(bytes);
    assert.deepEqual(events, [
      { type: 'malformed', pid: AUDIO, detail: 'transport_error_indicator set' },
      { type: 'cc-error', pid: AUDIO, expected: cc, got: (cc + 1) & 0x0f },
    ]);
    const audio = (list: AVPacket[]) => list.filter((p) => p.trackId === AUDIO).length;
    assert.ok(audio(packets) < audio(cleanPackets), 'the damaged PES is not passed on');
    assert.equal(packets.length - audio(packets), cleanPackets.length - audio(cleanPackets));
  });
});

describe('oversized access units', () => {
  it('are dropped with the PID and size, the rest passes', () => {
    const limit = 3000;
    const { packets, events } = demuxAll(clean, { maxAccessUnitBytes: limit });
    const big = cleanPackets.filter((p) => p.data.length > limit);
    assert.ok(big.length > 0 && big.every((p) => p.trackId === VIDEO));
    const oversized = events.filter((e) => e.type === 'oversized-pes');
    assert.equal(oversized.length, big.length);
    assert.ok(oversized.every((e) => e.pid === VIDEO && e.bytes > limit && e.bytes <= limit + 184));
    assert.deepEqual(fingerprint(packets), fingerprint(cleanPackets.filter((p) => p.data.length <= limit)));
  });

  it('an endless unsized PES keeps memory at the limit', () => {
    const limit = 1 << 20;
    const events: DemuxEvent[] = [];
    const d = createTsDemuxer({ maxAccessUnitBytes: limit, onEvent: (e) => events.push(e) });
    d.push(
      new TsWriter()
        .section(0, patSection([{ program: 1, pmtPid: 0x1000 }]))
        .section(0x1000, pmtSection(1, VIDEO, [{ streamType: 0x1b, pid: VIDEO }]))
        .pes(VIDEO, Uint8Array.from([0, 0, 0, 1, 0x65]), { streamId: 0xe0, pts: 0 })
        .bytes(),
    );
    const filler = new TsWriter();
    for (let i = 0; i < 2000; i++) filler.payload(VIDEO, new Uint8Array(184).fill(0x11), false);
    const chunk = filler.bytes();
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      d.push(chunk);
      peak = Math.max(peak, d.stats.bufferedBytes);
    }
    assert.ok(peak <= limit + 1024, `peak ${peak}`);
    assert.equal(events.filter((e) => e.type === 'oversized-pes').length, 1);
    assert.equal(events.filter((e) => e.type === 'cc-error').length, 0);
  });
});

describe('the whole-demuxer PES budget', () => {
  const pids = Array.from({ length: 40 }, (_, i) => 0x200 + i);
  /** 40 video PIDs, each starting an unsized PES, then `rounds` filler packets on each in turn. */
  function manyPids(rounds: number): Uint8Array[] {
    const head = new TsWriter().section(0, patSection([{ program: 1, pmtPid: 0x1000 }])).section(
      0x1000,
      pmtSection(
        1,
        pids[0]!,
        pids.map((pid) => ({ streamType: 0x1b, pid })),
      ),
    );
    for (const pid of pids) head.pes(pid, Uint8Array.from([0, 0, 0, 1, 0x65]), { streamId: 0xe0, pts: 0 });
    const chunks = [head.bytes()];
    for (let r = 0; r < rounds; r++) {
      const round = new TsWriter();
      for (const pid of pids) round.payload(pid, new Uint8Array(184).fill(0x11), false);
      chunks.push(round.bytes());
    }
    return chunks;
  }

  it('drops the largest partial PES when all PIDs together exceed it, and counts each drop', () => {
    const budget = 2 * 1024 * 1024;
    const events: DemuxEvent[] = [];
    const d = createTsDemuxer({ pesBudgetBytes: budget, onEvent: (e) => events.push(e) });
    let peak = 0;
    for (const chunk of manyPids(1000)) {
      d.push(chunk);
      peak = Math.max(peak, d.stats.bufferedBytes);
    }
    // 40 PIDs × 184 KB would be 7.3 MB without the budget.
    assert.ok(peak <= budget, `peak ${peak} over the budget ${budget}`);
    const drops = events.filter((e) => e.type === 'pes-budget-exceeded');
    assert.ok(drops.length > 0);
    assert.ok(drops.every((e) => pids.includes(e.pid) && e.bytes > 0));
    assert.equal(d.stats.budgetDrops, drops.length);
    assert.equal(events.filter((e) => e.type === 'oversized-pes').length, 0, 'no single PES was too big');
  });

  it('a real stream never touches the default budget', () => {
    const { events } = demuxAll(clean);
    assert.equal(events.filter((e) => e.type === 'pes-budget-exceeded').length, 0);
  });
});
