// Property tests of fragment reassembly and loss counting (fast-check): loss, reordering,
// duplication, conflicting and arbitrarily cut fragments, memory caps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  encodeEnvelopes,
  HEADER_SIZE,
  LossCounter,
  Reassembler,
  type WirePacket,
} from '../src/wire/index.js';
import { decodeOk, maxPayloadArb, packetArb, RUNS, shuffle } from './wire-arbitraries.js';

describe('wire format v1 reassembly properties', () => {
  it('yields the exact packet or nothing when fragments are lost, reordered or duplicated', () => {
    const deliveryArb = fc.record({
      picks: fc.array(fc.nat(), { maxLength: 40, size: 'max' }),
      deliverAll: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(packetArb(600), maxPayloadArb, deliveryArb, (packet, maxPayload, delivery) => {
        const messages = encodeEnvelopes(packet, { maxPayload });
        const picked = delivery.picks.map((pick) => pick % messages.length);
        const order = shuffle(delivery.deliverAll ? [...messages.keys(), ...picked] : picked, delivery.seed);
        const reassembler = new Reassembler();
        const out: WirePacket[] = [];
        for (const index of order) {
          const packetOut = reassembler.push(decodeOk(messages[index]!));
          if (packetOut !== undefined) out.push(packetOut);
        }
        assert.ok(out.length <= 1, 'a unit came out twice');
        if (out.length === 1) assert.deepEqual(out[0], packet);
        const arrived = new Set(order);
        const allArrived = messages.every((_, index) => arrived.has(index));
        assert.equal(out.length, allArrived ? 1 : 0);
      }),
      { numRuns: RUNS.fragmentDelivery },
    );
  });

  it('keeps a unit intact whatever happened to the fragments of units around it', () => {
    const unitsArb = fc
      .array(packetArb(300), { minLength: 2, maxLength: 4 })
      .map((packets) => packets.map((packet, index) => ({ ...packet, sessionId: 5, seq: index })));
    const lossArb = fc.array(fc.boolean(), { minLength: 64, maxLength: 64 });
    fc.assert(
      fc.property(unitsArb, maxPayloadArb, lossArb, fc.nat(), (packets, maxPayload, keep, seed) => {
        const tagged = packets.flatMap((packet, unit) =>
          encodeEnvelopes(packet, { maxPayload }).map((message) => ({ unit, message })),
        );
        const delivered = shuffle(tagged, seed).filter((_, index) => keep[index % keep.length]);
        const reassembler = new Reassembler();
        const seen = new Set<number>();
        for (const { message } of delivered) {
          const packetOut = reassembler.push(decodeOk(message));
          if (packetOut === undefined) continue;
          assert.ok(!seen.has(packetOut.seq));
          seen.add(packetOut.seq);
          assert.deepEqual(packetOut, packets[packetOut.seq]);
        }
        const arrived = new Set(delivered);
        for (const [unit] of packets.entries()) {
          const complete = tagged.filter((t) => t.unit === unit).every((t) => arrived.has(t));
          assert.equal(seen.has(unit), complete, `unit ${unit}`);
        }
      }),
      { numRuns: RUNS.interleavedUnits },
    );
  });

  it('never mixes fragments of two different units that claim the same session and sequence', () => {
    fc.assert(
      fc.property(
        packetArb(400),
        fc.integer({ min: 1, max: 1000 }),
        maxPayloadArb,
        fc.nat(),
        (a, shift, max, seed) => {
          const b = {
            ...a,
            pts: a.pts > 0 ? a.pts - shift : a.pts + shift,
            data: a.data.map((byte) => byte ^ 0xff),
          };
          const mixed = shuffle(
            [...encodeEnvelopes(a, { maxPayload: max }), ...encodeEnvelopes(b, { maxPayload: max })],
            seed,
          );
          const reassembler = new Reassembler();
          for (const message of mixed) {
            const packetOut = reassembler.push(decodeOk(message));
            if (packetOut === undefined) continue;
            assert.ok(packetOut.pts === a.pts ? isDeepEqual(packetOut, a) : isDeepEqual(packetOut, b));
          }
        },
      ),
      { numRuns: RUNS.conflictingFragments },
    );
  });

  it('yields the exact unit or nothing from fragments cut at arbitrary, possibly overlapping ranges', () => {
    const cutsArb = fc.record({
      partitionPoints: fc.array(fc.nat(), { maxLength: 8 }),
      strayRanges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
      seed: fc.nat(),
    });
    const dataArb = fc.uint8Array({ minLength: 2, maxLength: 300, size: 'max' });
    fc.assert(
      fc.property(packetArb(0), dataArb, cutsArb, (base, data, cuts) => {
        const packet = { ...base, data };
        const points = [...new Set([0, data.length, ...cuts.partitionPoints.map((p) => p % data.length)])];
        points.sort((a, b) => a - b);
        const partition = points.slice(1).map((end, i) => [points[i]!, end - points[i]!] as const);
        const strays = cuts.strayRanges.map(([start, length]) => {
          const from = start % data.length;
          return [from, 1 + (length % (data.length - from))] as const;
        });
        const ranges = shuffle([...partition, ...strays], cuts.seed).filter(
          ([, length]) => length < data.length,
        );
        const [header] = encodeEnvelopes(packet, { maxPayload: HEADER_SIZE + 1 });
        const reassembler = new Reassembler();
        const out: WirePacket[] = [];
        for (const [offset, length] of ranges) {
          const message = new Uint8Array(HEADER_SIZE + length);
          message.set(header!.subarray(0, HEADER_SIZE));
          const view = new DataView(message.buffer);
          view.setUint32(52, offset);
          view.setUint32(56, length);
          message.set(data.subarray(offset, offset + length), HEADER_SIZE);
          const packetOut = reassembler.push(decodeOk(message));
          if (packetOut !== undefined) out.push(packetOut);
        }
        assert.ok(out.length <= 1);
        if (out.length === 1) assert.deepEqual(out[0], packet);
        if (strays.length === 0 && partition.length > 1) assert.equal(out.length, 1);
      }),
      { numRuns: RUNS.arbitraryCuts },
    );
  });

  it('holds no more pending units or bytes than its caps, whatever arrives', () => {
    const capsArb = fc.record({
      maxPendingUnits: fc.integer({ min: 1, max: 4 }),
      maxPendingBytes: fc.integer({ min: 1, max: 2000 }),
    });
    const streamArb = fc.array(fc.tuple(packetArb(800), fc.integer({ min: 0, max: 3 })), { maxLength: 12 });
    fc.assert(
      fc.property(capsArb, streamArb, maxPayloadArb, fc.nat(), (caps, stream, maxPayload, seed) => {
        const reassembler = new Reassembler(caps);
        const messages = stream.flatMap(([packet, session]) =>
          encodeEnvelopes({ ...packet, sessionId: session, seq: packet.seq % 8 }, { maxPayload }).slice(1),
        );
        for (const message of shuffle(messages, seed)) {
          reassembler.push(decodeOk(message));
          assert.ok(reassembler.pendingUnits <= caps.maxPendingUnits);
          assert.ok(reassembler.pendingBytes <= caps.maxPendingBytes);
        }
      }),
      { numRuns: RUNS.boundedMemory },
    );
  });

  it('counts as lost exactly the sequence numbers never delivered', () => {
    const sessionArb = fc.record({
      length: fc.integer({ min: 1, max: 200 }),
      drops: fc.array(fc.nat(), { maxLength: 50, size: 'max' }),
      repeats: fc.array(fc.nat(), { maxLength: 10 }),
    });
    fc.assert(
      fc.property(fc.array(sessionArb, { minLength: 1, maxLength: 4 }), (sessions) => {
        const counter = new LossCounter();
        let expectedLost = 0;
        let expectedReceived = 0;
        let expectedDuplicates = 0;
        for (const [sessionId, session] of sessions.entries()) {
          const dropped = new Set(session.drops.map((d) => d % session.length));
          const repeated = new Set(session.repeats.map((r) => r % session.length));
          let lastDelivered = -1;
          for (let seq = 0; seq < session.length; seq++) {
            if (dropped.has(seq)) continue;
            counter.observe(sessionId, seq);
            if (repeated.has(seq)) {
              counter.observe(sessionId, seq);
              expectedDuplicates++;
            }
            expectedReceived++;
            lastDelivered = seq;
          }
          // Loss after the last delivered number of a session is invisible to the consumer.
          for (const seq of dropped) if (seq < lastDelivered) expectedLost++;
        }
        assert.equal(counter.stats.lost, expectedLost);
        assert.equal(counter.stats.received, expectedReceived);
        assert.equal(counter.stats.duplicates, expectedDuplicates);
      }),
      { numRuns: RUNS.lossCounting },
    );
  });
});

function isDeepEqual(actual: unknown, expected: unknown): boolean {
  try {
    assert.deepEqual(actual, expected);
    return true;
  } catch {
    return false;
  }
}
