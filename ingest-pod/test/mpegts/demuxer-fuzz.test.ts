// Fuzzing, over 100 000 cases: arbitrary bytes, TS-shaped random packets behind a valid PAT/PMT,
// and a real ffmpeg stream with random damage. The demuxer never throws, holds bounded memory,
// emits only well-formed packets, and gives the same output (packets, events, counters) however
// the bytes are chunked.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CODECS } from '../../src/avpacket.js';
import { makeTsFile } from '../support/media.js';
import { type DemuxRun, demuxAll } from './demux-helpers.js';
import { PACKET, patSection, pmtSection, TsWriter } from './ts-builder.js';

const MAX_AU = 64 * 1024;
const OPTIONS = { maxAccessUnitBytes: MAX_AU };

let dir: string;
let real: Buffer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-demux-fuzz-'));
  real = await readFile(await makeTsFile(dir, { video: 'h264', audio: 'aac', seconds: 1, size: '160x120' }));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Everything observable about a run, compact enough to compare thousands of times. */
function summary(run: DemuxRun): string {
  const h = createHash('sha1');
  for (const p of run.packets) {
    h.update(`${p.codec}/${p.trackId}/${p.pts}/${p.dts}/${p.key}/${p.data.length};`);
    h.update(p.data);
  }
  const { bufferedBytes: _, ...stats } = run.demuxer.stats;
  return `${h.digest('hex')} ${JSON.stringify(run.events)} ${JSON.stringify(stats)}`;
}

/** Chunk sizes cycling through `sizes`. */
function chunker(sizes: number[]): () => number {
  let i = 0;
  return () => sizes[i++ % sizes.length]!;
}

function assertWellFormed(run: DemuxRun): void {
  for (const p of run.packets) {
    assert.ok((CODECS as readonly string[]).includes(p.codec));
    assert.ok(Number.isSafeInteger(p.pts) && Number.isSafeInteger(p.dts) && p.pts >= 0 && p.dts >= 0);
    assert.ok(p.data.length > 0 && p.data.length <= MAX_AU + 4096);
  }
  assert.equal(run.demuxer.stats.bufferedBytes, 0, 'flush leaves nothing behind');
  assert.equal(run.demuxer.stats.accessUnits, run.packets.length);
}

function sameWhateverTheChunking(bytes: Uint8Array, sizes: number[]): void {
  const whole = demuxAll(bytes, OPTIONS, Math.max(1, bytes.length));
  assertWellFormed(whole);
  const chunked = demuxAll(bytes, OPTIONS, chunker(sizes));
  assert.equal(summary(chunked), summary(whole));
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 });

/** A valid PAT and a PMT declaring PIDs 0x100.. with the given stream types. */
function psi(streamTypes: number[]): Uint8Array {
  return new TsWriter()
    .section(0, patSection([{ program: 1, pmtPid: 0x1000 }]))
    .section(
      0x1000,
      pmtSection(
        1,
        0x100,
        streamTypes.map((streamType, i) => ({ streamType, pid: 0x100 + i })),
      ),
    )
    .bytes();
}

const STREAM_TYPES = [0x1b, 0x24, 0x02, 0x0f, 0x03, 0x04, 0x81, 0x87, 0x86, 0x06, 0x15];

/** One TS packet: sync, a PID from the program (or PSI), random flags, CC and payload. */
const tsPacket = fc
  .record({
    pid: fc.constantFrom(0, 0x1000, 0x100, 0x101, 0x102, 0x103, 0x1fff),
    transportError: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    unitStart: fc.boolean(),
    adaptation: fc.constantFrom(1, 1, 1, 3, 3, 2, 0),
    cc: fc.integer({ min: 0, max: 15 }),
    afLength: fc.integer({ min: 0, max: 183 }),
    afFlags: fc.integer({ min: 0, max: 255 }),
    start: fc.constantFrom<number[]>(
      [0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10],
      [0, 0, 1, 0xc0, 0, 40, 0x80, 0x80, 5],
      [0],
    ),
    body: fc.uint8Array({ minLength: 184, maxLength: 184 }),
    /** Start codes (00 00 01 xx) sprinkled over the body so the video parsers see units. */
    units: fc.array(fc.tuple(fc.integer({ min: 4, max: 184 }), fc.integer({ min: 0, max: 255 })), {
      maxLength: 4,
    }),
  })
  .map((f) => {
    const p = new Uint8Array(PACKET);
    p.set(f.body, 4);
    for (const [at, type] of f.units) p.set([0, 0, 1, type].slice(0, PACKET - at), at);
    p[0] = 0x47;
    p[1] = (f.transportError ? 0x80 : 0) | (f.unitStart ? 0x40 : 0) | (f.pid >> 8);
    p[2] = f.pid & 0xff;
    p[3] = (f.adaptation << 4) | f.cc;
    const hasAdaptation = (f.adaptation & 2) !== 0;
    if (hasAdaptation) {
      p[4] = f.afLength;
      p[5] = f.afFlags;
    }
    // With payload_unit_start, begin the payload like a PES or a section so parsing gets deep.
    const payloadAt = hasAdaptation ? 5 + f.afLength : 4;
    if (f.unitStart && payloadAt + f.start.length <= PACKET) p.set(f.start, payloadAt);
    return p;
  });

describe('fuzz', () => {
  it('arbitrary bytes (50 000 cases)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), chunkSizes, (bytes, sizes) => {
        sameWhateverTheChunking(bytes, sizes);
      }),
      { numRuns: 50_000 },
    );
  });

  it('TS-shaped random packets behind a valid PAT/PMT (40 000 cases)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...STREAM_TYPES), { minLength: 1, maxLength: 4 }),
        fc.array(tsPacket, { maxLength: 12 }),
        chunkSizes,
        (types, packets, sizes) => {
          sameWhateverTheChunking(Buffer.concat([psi(types), ...packets]), sizes);
        },
      ),
      { numRuns: 40_000 },
    );
  });

  it('a real stream, chunked at random, equals the one-chunk output (2 000 cases)', () => {
    const whole = summary(demuxAll(real, OPTIONS, real.length));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 16 }), (sizes) => {
        assert.equal(summary(demuxAll(real, OPTIONS, chunker(sizes))), whole);
      }),
      { numRuns: 2_000 },
    );
  });

  it('a real stream with random damage, chunked at random (10 000 cases)', () => {
    const damage = fc.oneof(
      fc.record({
        kind: fc.constant('flip' as const),
        at: fc.nat(),
        value: fc.integer({ min: 1, max: 255 }),
      }),
      fc.record({
        kind: fc.constant('cut' as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 400 }),
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ maxLength: 300 }),
      }),
      fc.record({
        kind: fc.constant('repeat' as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 400 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(damage, { minLength: 1, maxLength: 6 }), chunkSizes, (edits, sizes) => {
        let bytes: Buffer = real;
        for (const e of edits) {
          const at = e.at % bytes.length;
          if (e.kind === 'flip') {
            bytes = Buffer.from(bytes);
            bytes[at]! ^= e.value;
          } else if (e.kind === 'cut')
            bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.length)]);
          else if (e.kind === 'insert')
            bytes = Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at)]);
          else bytes = Buffer.concat([bytes.subarray(0, at + e.length), bytes.subarray(at)]);
        }
        sameWhateverTheChunking(
          bytes,
          sizes.map((s) => s * 7),
        );
      }),
      { numRuns: 10_000 },
    );
  });
});
