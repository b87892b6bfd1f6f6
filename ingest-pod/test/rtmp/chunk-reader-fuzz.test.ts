import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ChunkReader } from '../../src/rtmp/chunk-reader.js';
import { encodeChunks } from '../../src/rtmp/chunk-writer.js';
import { type RtmpMessage, RtmpProtocolError } from '../../src/rtmp/protocol.js';
import { chunk, concatBytes, setChunkSize } from './chunk-bytes.js';

const LIMITS = { maxMessageBytes: 4096, maxPendingBytes: 16_384, maxChunkStreams: 64 };

/** Splits `bytes` at the given fractions. */
function pieces(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

// Half-valid input: real chunks of every fmt mixed with garbage, so the fuzzer gets past the
// first header often enough to reach the deeper states.
const chunkBytes = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc
    .record({
      fmt: fc.constantFrom(0, 1, 2, 3),
      csid: fc.oneof(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 65599 })),
      time: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(0xffffff), fc.nat()),
      length: fc.integer({ min: 0, max: 5000 }),
      typeId: fc.integer({ min: 0, max: 255 }),
      extended: fc.option(fc.nat(), { nil: undefined }),
      payload: fc.uint8Array({ maxLength: 300 }),
    })
    .map(({ payload, ...h }) => chunk(h as Parameters<typeof chunk>[0], payload)),
  fc.integer({ min: 0, max: 0x7fffffff }).map(setChunkSize),
);

test('fuzz: any input either parses or fails with RtmpProtocolError, within the memory bounds', () => {
  fc.assert(
    fc.property(
      fc.array(chunkBytes, { maxLength: 30 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true })),
      (parts, cuts) => {
        const messages: RtmpMessage[] = [];
        const reader = new ChunkReader((m) => messages.push(m), LIMITS);
        try {
          for (const piece of pieces(concatBytes(...parts), cuts)) {
            reader.push(piece);
            assert.ok(reader.pending <= LIMITS.maxPendingBytes);
          }
        } catch (err) {
          if (!(err instanceof RtmpProtocolError)) throw err;
        }
        for (const m of messages) assert.ok(m.payload.length <= LIMITS.maxMessageBytes);
      },
    ),
    { numRuns: 2000 },
  );
});

test('fuzz: whatever the chunk size and the read boundaries, written messages come back unchanged', () => {
  const message = fc.record({
    chunkStreamId: fc.oneof(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 2, max: 65599 })),
    typeId: fc.constantFrom(8, 9, 18, 20),
    streamId: fc.nat(),
    timestamp: fc.oneof(fc.nat({ max: 100_000 }), fc.integer({ min: 0xfffff0, max: 0xffffffff })),
    payload: fc.uint8Array({ maxLength: 3000 }),
  });
  fc.assert(
    fc.property(
      fc.array(message, { maxLength: 12 }),
      fc.integer({ min: 1, max: 5000 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
      (sent, chunkSize, cuts) => {
        const received: RtmpMessage[] = [];
        const reader = new ChunkReader((m) => received.push(m));
        const bytes = concatBytes(setChunkSize(chunkSize), ...sent.map((m) => encodeChunks(m, chunkSize)));
        for (const piece of pieces(bytes, cuts)) reader.push(piece);
        assert.deepEqual(
          received.map(({ chunkStreamId, typeId, streamId, timestamp, payload }) => ({
            chunkStreamId,
            typeId,
            streamId,
            timestamp,
            payload,
          })),
          sent.map((m) => ({ ...m })), // fast-check records have a null prototype
        );
      },
    ),
    { numRuns: 500 },
  );
});
