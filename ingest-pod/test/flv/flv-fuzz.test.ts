// Fuzzing, 100 000+ cases in all: random tags, random damage to valid tags (bit flips,
// truncation, extension, lengths overwritten), random in-order sequences across the 2^32 ms wrap,
// and the FLV file reader on damaged files. Nothing throws, and every packet is well-formed.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { FlvFileReader, readFlvFile } from '../../src/flv/flv-file.js';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { makeFlvFile } from '../support/flv-media.js';
import { writeFlvFile } from './flv-builder.js';
import { convertChecked, type Mutation, mutate } from './flv-invariants.js';
import { SAMPLE_BODIES, type SampleBody } from './flv-samples.js';

let samples: SampleBody[] = [...SAMPLE_BODIES];
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-flv-fuzz-'));
  // Real tags too: ffmpeg's headers, AVC frames with B-frames, AAC.
  const file = await makeFlvFile(dir, { seconds: 1, size: '160x120' });
  const real = readFlvFile(await readFile(file)).tags.slice(0, 40);
  samples = [...SAMPLE_BODIES, ...real.map((t) => ({ type: t.type, data: t.data }))];
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tagType = fc.constantFrom(8 as const, 9 as const, 18 as const);
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), bytes: bytes(12) }),
  fc.record({
    kind: fc.constant('overwrite' as const),
    at: fc.nat(),
    bytes: fc.oneof(fc.constant(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), bytes(4)),
  }),
);
const damagedSample = fc.record({
  pick: fc.nat(),
  mutations: fc.array(mutation, { maxLength: 3 }),
  step: fc.integer({ min: 0, max: 200 }),
});

function sampleTag(pick: number, mutations: Mutation[], timestamp: number): FlvTag {
  const s = samples[pick % samples.length]!;
  return { type: s.type, timestamp, data: mutate(s.data, mutations) };
}

describe('FLV converter fuzz', () => {
  it('random tags of random bytes (40 000 cases)', () => {
    const header = fc.oneof(
      fc.constant(Uint8Array.of()),
      fc
        .constantFrom(0x17, 0x27, 0x1c, 0x2c, 0x90, 0x91, 0x93, 0x97, 0xaf, 0x2f, 0x9f)
        .map((b) => Uint8Array.of(b)),
    );
    fc.assert(
      fc.property(tagType, fc.nat(), header, bytes(48), (type, timestamp, head, body) => {
        convertChecked([{ type, timestamp, data: Uint8Array.from([...head, ...body]) }], true);
      }),
      { numRuns: 40_000 },
    );
  });

  it('valid tags with random damage, one after another (40 000 cases)', () => {
    fc.assert(
      fc.property(fc.array(damagedSample, { minLength: 1, maxLength: 4 }), (list) => {
        convertChecked(
          list.map((s) => sampleTag(s.pick, s.mutations, 0)),
          true,
        );
      }),
      { numRuns: 40_000 },
    );
  });

  it('in-order sequences of valid and damaged tags, across the 2^32 ms wrap (20 000 cases)', () => {
    const start = fc.oneof(fc.nat({ max: 10_000 }), fc.integer({ min: 2 ** 32 - 3000, max: 2 ** 32 - 1 }));
    fc.assert(
      fc.property(start, fc.array(damagedSample, { maxLength: 16 }), (first, list) => {
        let time = first;
        const tags = list.map((s) => {
          time += s.step;
          return sampleTag(s.pick, s.mutations, time % 2 ** 32);
        });
        convertChecked(tags, true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('the file reader on damaged files, in random chunks (4 000 cases)', () => {
    fc.assert(
      fc.property(
        fc.array(damagedSample, { maxLength: 8 }),
        fc.array(mutation, { maxLength: 3 }),
        fc.integer({ min: 1, max: 64 }),
        (list, damage, chunk) => {
          const file = mutate(writeFlvFile(list.map((s) => sampleTag(s.pick, [], s.step))), damage);
          const reader = new FlvFileReader();
          const tags: FlvTag[] = [];
          for (let at = 0; at < file.length; at += chunk)
            tags.push(...reader.push(file.subarray(at, at + chunk)));
          const whole = readFlvFile(file).tags;
          assert.equal(tags.length, whole.length);
          convertChecked(tags, false);
        },
      ),
      { numRuns: 4_000 },
    );
  });
});
