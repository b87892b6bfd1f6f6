// Reassembler and LossCounter by example: caps, eviction, counters and recovery after loss.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DecodedEnvelope,
  decodeEnvelope,
  encodeEnvelopes,
  HEADER_SIZE,
  isWireError,
  LossCounter,
  Reassembler,
  type WirePacket,
} from '../src/wire/index.js';

function unit(seq: number, size: number, sessionId = 9): WirePacket {
  return {
    codec: 'h265',
    trackId: 33,
    pts: 3_000 * seq,
    dts: 3_000 * seq,
    key: seq === 0,
    data: Uint8Array.from({ length: size }, (_, i) => (i * 7 + seq) & 0xff),
    inputPriority: 1,
    sessionId,
    sessionStart: seq === 0,
    seq,
    wallTimeMs: 1_750_000_000_000 + seq,
  };
}

/** Envelopes of `packet` split into fragments of at most 100 payload bytes. */
function fragments(packet: WirePacket): DecodedEnvelope[] {
  return encodeEnvelopes(packet, { maxPayload: HEADER_SIZE + 100 }).map((message) => {
    const result = decodeEnvelope(message);
    if (isWireError(result)) assert.fail(result.message);
    return result;
  });
}

function pushAll(reassembler: Reassembler, envelopes: DecodedEnvelope[]): WirePacket[] {
  const out: WirePacket[] = [];
  for (const envelope of envelopes) {
    const packet = reassembler.push(envelope);
    if (packet !== undefined) out.push(packet);
  }
  return out;
}

describe('Reassembler', () => {
  it('returns a whole unit at once and a fragmented one on its last fragment', () => {
    const reassembler = new Reassembler();
    assert.deepEqual(pushAll(reassembler, fragments(unit(0, 80))), [unit(0, 80)]);
    const parts = fragments(unit(1, 250));
    assert.equal(parts.length, 3);
    assert.equal(reassembler.push(parts[0]!), undefined);
    assert.equal(reassembler.push(parts[1]!), undefined);
    assert.equal(reassembler.pendingUnits, 1);
    assert.equal(reassembler.pendingBytes, 250);
    assert.deepEqual(reassembler.push(parts[2]!), unit(1, 250));
    assert.deepEqual([reassembler.pendingUnits, reassembler.pendingBytes], [0, 0]);
    assert.equal(reassembler.stats.completed, 2);
  });

  it('gives up a unit whose fragment was lost once its session is far enough ahead, and says so', () => {
    const reassembler = new Reassembler({ maxSeqLag: 2 });
    const out = pushAll(reassembler, [
      ...fragments(unit(1, 300)).slice(1),
      ...fragments(unit(2, 300)),
      ...fragments(unit(3, 300)),
    ]);
    assert.deepEqual(out, [unit(2, 300), unit(3, 300)]);
    assert.equal(reassembler.pendingUnits, 1, 'seq 1 is still within the lag');
    assert.deepEqual(pushAll(reassembler, fragments(unit(4, 300))), [unit(4, 300)]);
    assert.equal(reassembler.pendingUnits, 0);
    assert.equal(reassembler.stats.incomplete, 1);
  });

  it('does not count lag across sessions', () => {
    const reassembler = new Reassembler({ maxSeqLag: 2 });
    pushAll(reassembler, fragments(unit(1, 300, 1)).slice(1));
    pushAll(reassembler, fragments(unit(50, 300, 2)));
    assert.equal(reassembler.pendingUnits, 1);
  });

  it('evicts the oldest partial unit when the unit or byte cap is reached', () => {
    const byUnits = new Reassembler({ maxPendingUnits: 2 });
    for (const seq of [1, 2, 3]) pushAll(byUnits, fragments(unit(seq, 300)).slice(0, 1));
    assert.equal(byUnits.pendingUnits, 2);
    assert.equal(byUnits.stats.incomplete, 1);
    assert.deepEqual(pushAll(byUnits, fragments(unit(3, 300)).slice(1)), [unit(3, 300)]);
    assert.deepEqual(pushAll(byUnits, fragments(unit(1, 300)).slice(1)), [], 'seq 1 was evicted');

    const byBytes = new Reassembler({ maxPendingBytes: 500 });
    pushAll(byBytes, fragments(unit(1, 300)).slice(0, 1));
    pushAll(byBytes, fragments(unit(2, 300)).slice(0, 1));
    assert.deepEqual([byBytes.pendingUnits, byBytes.pendingBytes, byBytes.stats.incomplete], [1, 300, 1]);
  });

  it('refuses a unit above maxAccessUnitBytes without holding memory for it', () => {
    const reassembler = new Reassembler({ maxAccessUnitBytes: 1000 });
    assert.deepEqual(pushAll(reassembler, fragments(unit(1, 1001))), []);
    assert.deepEqual([reassembler.pendingBytes, reassembler.stats.oversized], [0, 1]);
    assert.deepEqual(pushAll(reassembler, fragments(unit(2, 1000))), [unit(2, 1000)]);
  });

  it('ignores repeated fragments and repeated units', () => {
    const reassembler = new Reassembler();
    const parts = fragments(unit(1, 250));
    const out = pushAll(reassembler, [
      parts[0]!,
      parts[0]!,
      parts[1]!,
      parts[2]!,
      parts[1]!,
      ...fragments(unit(1, 250)),
    ]);
    assert.deepEqual(out, [unit(1, 250)]);
    assert.equal(reassembler.stats.duplicates, 5);
    const whole = fragments(unit(2, 10));
    assert.deepEqual(pushAll(reassembler, [...whole, ...whole]), [unit(2, 10)]);
    assert.equal(reassembler.stats.duplicates, 6);
  });

  it('drops a unit whose fragments disagree instead of splicing them', () => {
    const reassembler = new Reassembler();
    const mine = fragments(unit(1, 250));
    const impostor = fragments({ ...unit(1, 250), pts: 1 });
    assert.deepEqual(pushAll(reassembler, [mine[0]!, impostor[1]!, mine[1]!, mine[2]!]), []);
    assert.equal(reassembler.stats.inconsistent, 1);
    assert.equal(reassembler.pendingUnits, 0);
  });

  it('drops a unit whose fragments overlap', () => {
    const reassembler = new Reassembler();
    const [first, second] = fragments(unit(1, 250));
    const shifted: DecodedEnvelope = { ...second!, fragmentOffset: 50 };
    assert.deepEqual(pushAll(reassembler, [first!, shifted]), []);
    assert.equal(reassembler.stats.inconsistent, 1);

    const later = new Reassembler();
    const [, middle, last] = fragments(unit(2, 250));
    const reaching: DecodedEnvelope = { ...middle!, fragmentOffset: 150 };
    assert.deepEqual(pushAll(later, [last!, reaching]), [], 'a range running into the next one');
    assert.equal(later.stats.inconsistent, 1);
  });
});

describe('LossCounter', () => {
  it('counts gaps, the opening gap of a session, and repeats', () => {
    const counter = new LossCounter();
    assert.equal(counter.observe(7, 0), 0);
    assert.equal(counter.observe(7, 1), 0);
    assert.equal(counter.observe(7, 4), 2);
    assert.equal(counter.observe(7, 4), 0);
    assert.equal(counter.observe(8, 3), 3, 'units 0..2 of session 8 never arrived');
    assert.equal(counter.observe(7, 5), 0, 'an overlapping publisher keeps its own count');
    assert.deepEqual(counter.stats, { received: 5, lost: 5, duplicates: 1 });
  });
});
