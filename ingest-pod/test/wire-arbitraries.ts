// Shared generators and helpers for the wire format property tests. RUNS is the case budget of
// every property; together they reach the floor of 100 000 generated cases. Byte arrays
// use size 'max': fast-check's default size would keep them under ~10 bytes, which would hardly
// ever fragment.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CODECS } from '../src/avpacket.js';
import {
  type DecodedEnvelope,
  decodeEnvelope,
  HEADER_SIZE,
  isWireError,
  type WirePacket,
} from '../src/wire/index.js';

export const RUNS = {
  roundTrip: 20_000,
  arbitraryBytes: 20_000,
  mutatedMessages: 20_000,
  truncation: 3_000,
  trailingBytes: 5_000,
  fragmentDelivery: 15_000,
  interleavedUnits: 6_000,
  conflictingFragments: 5_000,
  arbitraryCuts: 5_000,
  boundedMemory: 3_000,
  lossCounting: 7_000,
};

const uint32 = fc
  .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }))
  .map(([high, low]) => high * 0x10000 + low);

export function packetArb(maxDataLength: number): fc.Arbitrary<WirePacket> {
  return fc
    .record({
      codec: fc.constantFrom(...CODECS),
      trackId: uint32,
      pts: fc.maxSafeInteger(),
      dts: fc.maxSafeInteger(),
      key: fc.boolean(),
      data: fc.uint8Array({ maxLength: maxDataLength, size: 'max' }),
      inputPriority: fc.option(fc.integer({ min: 0, max: 7 }), { nil: null }),
      sessionId: uint32,
      sessionStart: fc.boolean(),
      seq: fc.maxSafeNat(),
      wallTimeMs: fc.maxSafeNat(),
    })
    .map((packet) => ({ ...packet })); // fc.record builds null-prototype objects; decoded packets are plain
}

export const maxPayloadArb = fc.integer({ min: HEADER_SIZE + 1, max: HEADER_SIZE + 400 });

export function decodeOk(message: Uint8Array): DecodedEnvelope {
  const result = decodeEnvelope(message);
  if (isWireError(result)) assert.fail(`${result.kind}: ${result.message}`);
  return result;
}

/** Deterministic Fisher-Yates driven by a generated seed, so fast-check can replay it. */
export function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
