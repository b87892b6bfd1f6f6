// Wire format v1 throughput: encode, and decode + reassemble, for access units of typical sizes.
// Anchor: allocating a buffer of the same size and copying the payload into it, the floor any
// encoder that hands NATS one buffer per message has to pay.
import { performance } from 'node:perf_hooks';
import {
  decodeEnvelope,
  encodeEnvelopes,
  isWireError,
  Reassembler,
  type WirePacket,
} from '../ingest-pod/src/wire/index.js';

const CASES = [
  { name: 'audio 1 KB', size: 1024, maxPayload: 1024 * 1024 },
  { name: 'video 50 KB', size: 50 * 1024, maxPayload: 1024 * 1024 },
  { name: 'keyframe 300 KB in 64 KB messages', size: 300 * 1024, maxPayload: 64 * 1024 },
];
/** Bytes pushed through per measurement, so every case runs long enough to time. */
const BYTES_PER_ROUND = 128 * 1024 * 1024;
const RING = 300;

function packet(size: number, seq: number): WirePacket {
  return {
    codec: 'h264',
    trackId: 256,
    pts: 90_000 + seq * 3_000,
    dts: 90_000 + seq * 3_000,
    key: false,
    data: Uint8Array.from({ length: size }, (_, i) => i & 0xff),
    inputPriority: 0,
    sessionId: 1,
    sessionStart: false,
    seq,
    wallTimeMs: Date.now(),
  };
}

/** Best of three timed rounds of `work` run `iterations` times, after a warm-up; in runs per second. */
function rate(iterations: number, work: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 2_000); i++) work(i);
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) work(i);
    best = Math.max(best, iterations / ((performance.now() - start) / 1000));
  }
  return best;
}

function report(metric: string, unit: string, value: number, anchorValue?: number): void {
  const line: Record<string, unknown> = { bench: 'wire', metric, unit, value: Math.round(value) };
  let readable = `${metric}: ${line.value} ${unit}`;
  if (anchorValue !== undefined) {
    const ratio = Math.round((value / anchorValue) * 100) / 100;
    Object.assign(line, {
      anchor: 'alloc + copy of the payload',
      anchor_value: Math.round(anchorValue),
      ratio,
    });
    readable += ` (alloc + copy: ${line.anchor_value} ${unit}, ratio ${ratio})`;
  }
  console.error(readable);
  console.log(JSON.stringify(line));
}

let sink = 0;
for (const { name, size, maxPayload } of CASES) {
  const iterations = Math.ceil(BYTES_PER_ROUND / size);
  const source = packet(size, 0);
  const megabytes = size / 1e6;
  const copyFloor = rate(iterations, () => {
    const copy = new Uint8Array(size + 60);
    copy.set(source.data, 60);
    sink += copy.length;
  });
  const encode = rate(iterations, (i) => {
    source.seq = i;
    sink += encodeEnvelopes(source, { maxPayload }).length;
  });
  report(`encode ${name}`, 'MB/s', encode * megabytes, copyFloor * megabytes);

  // More distinct units than the reassembler remembers, so cycling through them is never deduplicated.
  const ring = Array.from({ length: RING }, (_, seq) => encodeEnvelopes({ ...source, seq }, { maxPayload }));
  const reassembler = new Reassembler();
  const decode = rate(iterations, (i) => {
    for (const message of ring[i % RING]!) {
      const envelope = decodeEnvelope(message);
      if (isWireError(envelope)) throw new Error(envelope.message);
      if (reassembler.push(envelope) !== undefined) sink++;
    }
  });
  // Whole units are decoded without copying, so access units per second says more than MB/s.
  report(`decode+reassemble ${name}`, 'AU/s', decode);
}
if (sink === -1) console.error('unreachable');
