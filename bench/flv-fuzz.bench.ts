// FLV converter: a long fuzz run (default 1 000 000 cases, FLV_FUZZ_CASES to change) of in-order
// tag sequences, valid and damaged, across the 2^32 ms wrap, with the invariants of the unit
// fuzz test; then conversion throughput on a real 720p H.264 + AAC FLV file, against the CPU time
// of `ffmpeg -c copy -f null` on the same file (≥ 64 MB, so process start-up does not flatter us). Exits 1 when a case fails (fast-check prints the seed).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { FlvConverter } from '../ingest-pod/src/flv/flv-converter.js';
import { readFlvFile } from '../ingest-pod/src/flv/flv-file.js';
import type { FlvTag } from '../ingest-pod/src/flv/flv-tag.js';
import { convertChecked, type Mutation, mutate } from '../ingest-pod/test/flv/flv-invariants.js';
import { SAMPLE_BODIES } from '../ingest-pod/test/flv/flv-samples.js';
import { cachedMedia } from './cached-media.js';
import { report } from './ingest-support.js';

const CASES = Number(process.env.FLV_FUZZ_CASES ?? 1_000_000);
const MIN_BYTES = 64 * 1024 * 1024;

function fuzz(): void {
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
    fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ maxLength: 12 }) }),
    fc.record({
      kind: fc.constant('overwrite' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ maxLength: 4 }),
    }),
  );
  const item = fc.record({
    pick: fc.nat(),
    mutations: fc.array(mutation, { maxLength: 3 }),
    step: fc.integer({ min: 0, max: 200 }),
  });
  const start = fc.oneof(fc.nat({ max: 10_000 }), fc.integer({ min: 2 ** 32 - 3000, max: 2 ** 32 - 1 }));
  const began = process.cpuUsage();
  fc.assert(
    fc.property(start, fc.array(item, { maxLength: 16 }), (first, list) => {
      let time = first;
      const tags: FlvTag[] = list.map((s) => {
        time += s.step;
        const sample = SAMPLE_BODIES[s.pick % SAMPLE_BODIES.length]!;
        return { type: sample.type, timestamp: time % 2 ** 32, data: mutate(sample.data, s.mutations) };
      });
      convertChecked(tags, true);
    }),
    { numRuns: CASES },
  );
  const used = process.cpuUsage(began);
  report({ bench: 'flv-fuzz', metric: 'fuzz cases passed', unit: 'cases', value: CASES });
  report({
    bench: 'flv-fuzz',
    metric: 'fuzz cases per CPU second',
    unit: 'cases/s',
    value: CASES / ((used.user + used.system) / 1e6),
  });
}

/** 20 s of 720p30 H.264 (B-frames) + AAC as FLV, looped with -c copy past 64 MB; built once. */
function sourceFile(): string {
  return cachedMedia({
    name: 'flv-720p-h264-aac.flv',
    format: 'flv',
    minBytes: MIN_BYTES,
    encode: [
      ...[
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-bf',
        '2',
        '-b:v',
        '3M',
        '-g',
        '30',
        '-pix_fmt',
        'yuv420p',
      ],
      ...['-c:a', 'aac', '-b:a', '128k'],
    ],
  });
}

/** ffmpeg's own user+sys CPU seconds, read with bash's `times` (children's line). */
function ffmpegCpuSeconds(file: string): number {
  const script = 'ffmpeg -hide_banner -loglevel error -i "$1" -c copy -f null - && times';
  const result = spawnSync('bash', ['-c', script, 'bash', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  const children = result.stdout.trim().split('\n').at(-1)!;
  return [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
}

function throughput(): void {
  const file = sourceFile();
  const bytes = readFileSync(file);
  const mb = bytes.length / 1e6;
  const passes = 5;
  let best = Number.POSITIVE_INFINITY;
  let packets = 0;
  for (let pass = 0; pass <= passes; pass++) {
    const began = process.cpuUsage();
    const converter = new FlvConverter();
    packets = 0;
    for (const tag of readFlvFile(bytes).tags) packets += converter.push(tag).length;
    const used = process.cpuUsage(began);
    if (pass > 0) best = Math.min(best, (used.user + used.system) / 1e6); // pass 0 warms up the JIT
  }
  const ffmpeg = Math.min(...[0, 1, 2].map(() => ffmpegCpuSeconds(file)));
  console.error(`${file}: ${mb.toFixed(1)} MB, ${packets} packets per pass`);
  report({
    bench: 'flv-fuzz',
    metric: 'FLV file -> AVPackets',
    unit: 'MB/s',
    value: mb / best,
    anchor: 'ffmpeg -c copy -f null, CPU',
    anchorValue: mb / ffmpeg,
  });
}

fuzz();
throughput();
