// Property tests of wire format v1 encoding and decoding (fast-check): round trip, totality of
// the decoder on arbitrary and damaged input, truncation and trailing bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CODECS } from '../src/avpacket.js';
import {
  type DecodedEnvelope,
  decodeEnvelope,
  encodeEnvelopes,
  HEADER_SIZE,
  isWireError,
  Reassembler,
  type WireErrorKind,
  type WirePacket,
} from '../src/wire/index.js';
import { decodeOk, maxPayloadArb, packetArb, RUNS } from './wire-arbitraries.js';

const ERROR_KINDS: ReadonlySet<WireErrorKind> = new Set([
  'truncated',
  'bad-magic',
  'unsupported-version',
  'length-mismatch',
  'oversized',
  'bad-codec',
  'bad-fragment',
  'bad-field',
]);

function assertWellFormed(envelope: DecodedEnvelope, size: number): void {
  assert.ok(CODECS.includes(envelope.codec));
  for (const value of [envelope.seq, envelope.wallTimeMs])
    assert.ok(Number.isSafeInteger(value) && value >= 0);
  for (const value of [envelope.pts, envelope.dts]) assert.ok(Number.isSafeInteger(value));
  assert.ok(envelope.inputPriority === null || (envelope.inputPriority >= 0 && envelope.inputPriority <= 7));
  assert.ok(envelope.fragmentOffset + envelope.payload.length <= envelope.accessUnitLength);
  assert.equal(envelope.fragment, envelope.payload.length !== envelope.accessUnitLength);
  assert.ok(HEADER_SIZE + envelope.payload.length <= size);
}

function assertDecodeIsTotal(buf: Uint8Array): void {
  const result = decodeEnvelope(buf);
  if (isWireError(result)) {
    assert.ok(ERROR_KINDS.has(result.kind), result.kind);
    assert.equal(typeof result.message, 'string');
  } else {
    assertWellFormed(result, buf.length);
  }
}

describe('wire format v1 encoding and decoding properties', () => {
  it('runs at least 100 000 generated cases in total', () => {
    const total = Object.values(RUNS).reduce((sum, runs) => sum + runs, 0);
    assert.ok(total >= 100_000, `only ${total}`);
  });

  it('round-trips any packet at any maxPayload, every message within maxPayload', () => {
    fc.assert(
      fc.property(packetArb(1200), maxPayloadArb, (packet, maxPayload) => {
        const messages = encodeEnvelopes(packet, { maxPayload });
        const capacity = maxPayload - HEADER_SIZE;
        assert.equal(messages.length, Math.max(1, Math.ceil(packet.data.length / capacity)));
        const reassembler = new Reassembler();
        const out: WirePacket[] = [];
        for (const message of messages) {
          assert.ok(message.length <= maxPayload);
          const envelope = decodeOk(message);
          assert.equal(envelope.fragment, messages.length > 1);
          const packetOut = reassembler.push(envelope);
          if (packetOut !== undefined) out.push(packetOut);
        }
        assert.deepEqual(out, [packet]);
        assert.equal(reassembler.pendingUnits, 0);
      }),
      { numRuns: RUNS.roundTrip },
    );
  });

  it('decodes arbitrary bytes, with or without a valid prefix, to an error or a well-formed envelope', () => {
    const prefixed = fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 160, size: 'max' }))
      .map(([keep, bytes]) => {
        const buf = Uint8Array.from(bytes);
        // Plant a valid magic/version/header length on part of the cases to reach the deeper checks.
        buf.set([0x54, 0x42, 1, HEADER_SIZE].slice(0, Math.min(keep, buf.length)));
        return buf;
      });
    fc.assert(fc.property(prefixed, assertDecodeIsTotal), { numRuns: RUNS.arbitraryBytes });
  });

  it('decodes a valid message with bytes overwritten to an error or a well-formed envelope', () => {
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(packetArb(64), maxPayloadArb, edits, (packet, maxPayload, changes) => {
        const [message] = encodeEnvelopes(packet, { maxPayload });
        const buf = Uint8Array.from(message!);
        for (const [position, value] of changes) buf[position % buf.length] = value;
        assertDecodeIsTotal(buf);
      }),
      { numRuns: RUNS.mutatedMessages },
    );
  });

  it('reports every proper prefix of a valid message as truncated', () => {
    fc.assert(
      fc.property(packetArb(48), maxPayloadArb, (packet, maxPayload) => {
        for (const message of encodeEnvelopes(packet, { maxPayload })) {
          for (let cut = 0; cut < message.length; cut++) {
            const result = decodeEnvelope(message.subarray(0, cut));
            assert.ok(isWireError(result) && result.kind === 'truncated', `cut at ${cut}`);
          }
        }
      }),
      { numRuns: RUNS.truncation },
    );
  });

  it('reports bytes after the declared payload as a length mismatch', () => {
    const extra = fc.uint8Array({ minLength: 1, maxLength: 32, size: 'max' });
    fc.assert(
      fc.property(packetArb(200), maxPayloadArb, extra, (packet, maxPayload, tail) => {
        const [message] = encodeEnvelopes(packet, { maxPayload });
        const buf = new Uint8Array(message!.length + tail.length);
        buf.set(message!);
        buf.set(tail, message!.length);
        const result = decodeEnvelope(buf);
        assert.ok(isWireError(result) && result.kind === 'length-mismatch');
      }),
      { numRuns: RUNS.trailingBytes },
    );
  });
});
