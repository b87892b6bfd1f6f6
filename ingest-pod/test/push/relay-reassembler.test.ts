import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { type RelayItem, RelayReassembler } from '../../src/push/relay-reassembler.js';
import { encodeFlvRecord, RelayKind, type RelayMessage } from '../../src/push-relay/relay-wire.js';
import { endMessage, flvRecords, mediaMessages, startMessage } from './relay-fixtures.js';

const tagArb: fc.Arbitrary<FlvTag> = fc.record({
  type: fc.constantFrom(8 as const, 9 as const, 18 as const),
  timestamp: fc.nat(),
  data: fc.uint8Array({ maxLength: 300 }),
});

function run(messages: readonly RelayMessage[], reassembler = new RelayReassembler()): RelayItem[] {
  return messages.flatMap((m, i) => reassembler.push(m, i));
}

const tagsOf = (items: readonly RelayItem[]) => items.flatMap((i) => (i.type === 'flv' ? i.tags : []));
const tsOf = (items: readonly RelayItem[]) =>
  Buffer.concat(items.flatMap((i) => (i.type === 'ts' ? [i.bytes] : [])));
const plain = (tags: readonly FlvTag[]) => tags.map((t) => ({ ...t, data: [...t.data] }));

describe('relay reassembler: cut anywhere', () => {
  test('FLV records cut at any offsets come back as the same tags', () => {
    fc.assert(
      fc.property(
        fc.array(tagArb, { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (tags, cuts) => {
          const { bytes, starts } = flvRecords(tags);
          const session = 7;
          const media = mediaMessages(
            RelayKind.flv,
            session,
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
            starts,
          );
          const r = new RelayReassembler();
          const items = run(
            [startMessage(session, 'rtmp'), ...media, endMessage(session, media.length + 1)],
            r,
          );
          assert.deepEqual(plain(tagsOf(items)), plain(tags));
          assert.equal(items.at(-1)?.type, 'end');
          assert.deepEqual(r.stats.lostMessages + r.stats.skippedContinuations + r.stats.malformed, 0);
        },
      ),
    );
  });

  test('TS bytes cut at any offsets come back whole, in order', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (bytes, cuts) => {
          const media = mediaMessages(
            RelayKind.ts,
            3,
            bytes,
            cuts.map((c) => c % bytes.length),
          );
          const items = run([startMessage(3, 'srt'), ...media]);
          assert.deepEqual(tsOf(items), Buffer.from(bytes));
        },
      ),
    );
  });

  test('lost messages are counted, and FLV resumes intact at the next record boundary', () => {
    fc.assert(
      fc.property(
        fc.array(tagArb, { minLength: 2, maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        (tags, cuts, drops) => {
          // Unique timestamps identify the tags that come out.
          const numbered = tags.map((tag, i) => ({ ...tag, timestamp: i }));
          const { bytes, starts } = flvRecords(numbered);
          const media = mediaMessages(
            RelayKind.flv,
            1,
            bytes,
            cuts.map((c) => c % bytes.length),
            starts,
          );
          const dropped = new Set(drops.map((d) => d % media.length));
          const kept = media.filter((_, i) => !dropped.has(i));
          const r = new RelayReassembler();
          const out = tagsOf(run([startMessage(1, 'rtmp'), ...kept, endMessage(1, media.length + 1)], r));
          assert.equal(r.stats.lostMessages, dropped.size);
          let last = -1;
          for (const tag of out) {
            assert.ok(tag.timestamp > last, 'a subsequence, in order');
            last = tag.timestamp;
            assert.deepEqual([...tag.data], [...numbered[tag.timestamp]!.data], 'intact');
          }
          assert.ok(out.length < numbered.length || dropped.size === 0 || bytes.length === 0);
        },
      ),
    );
  });

  test("another session's media and end are ignored", () => {
    fc.assert(
      fc.property(
        fc.array(tagArb, { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.nat(),
        (tags, cuts, seed) => {
          const own = flvRecords(tags);
          const ownMedia = mediaMessages(
            RelayKind.flv,
            10,
            own.bytes,
            cuts.map((c) => c % (own.bytes.length + 1)),
            own.starts,
          );
          const foreign = mediaMessages(RelayKind.ts, 11, new Uint8Array(500), [100, 300]);
          foreign.push(endMessage(11, 4));
          const messages: RelayMessage[] = [startMessage(10, 'rtmp')];
          let f = 0;
          ownMedia.forEach((m, i) => {
            if ((seed + i) % 2 === 0 && f < foreign.length) messages.push(foreign[f++]!);
            messages.push(m);
          });
          const r = new RelayReassembler();
          assert.deepEqual(plain(tagsOf(run(messages, r))), plain(tags));
          assert.equal(r.stats.ignoredMessages, f);
        },
      ),
    );
  });
});

describe('relay reassembler: sessions', () => {
  const records = [0, 1, 2, 3].map((i) => encodeFlvRecord(9, i, new Uint8Array(40).fill(i)));
  const cont = 1;
  // m1: record 0 + head of 1 | m2: rest of 1 + head of 2 | m3: rest of 2 | m4: record 3
  const m = (sequence: number, payload: Uint8Array, flags = 0): RelayMessage => ({
    kind: RelayKind.flv,
    session: 5,
    sequence,
    flags,
    payload,
  });
  const join = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
  const m1 = m(1, join(records[0]!, records[1]!.subarray(0, 20)));
  const m2 = m(2, join(records[1]!.subarray(20), records[2]!.subarray(0, 10)), cont);
  const m3 = m(3, records[2]!.subarray(10), cont);
  const m4 = m(4, records[3]!);

  test('a gap drops the record it cut and skips continuations until a record starts', () => {
    const r = new RelayReassembler();
    const out = tagsOf(run([startMessage(5, 'rtmp'), m1, m3, m4], r));
    assert.deepEqual(
      out.map((t) => t.timestamp),
      [0, 3],
    );
    assert.equal(r.stats.lostMessages, 1);
    assert.equal(r.stats.skippedContinuations, 1);
  });

  test('joining midway: continuation messages are skipped, the session starts at a record boundary', () => {
    const r = new RelayReassembler();
    const items = run([m2, m3, m4], r);
    assert.deepEqual(items[0], { type: 'session', session: 5, protocol: 'rtmp' });
    assert.deepEqual(
      tagsOf(items).map((t) => t.timestamp),
      [3],
    );
    assert.equal(r.stats.skippedContinuations, 2);
    assert.equal(r.stats.lostMessages, 0, 'a join is not loss');
  });

  test("a new session's start ends the current one, which gives way", () => {
    const items = run([startMessage(5, 'rtmp'), m1, startMessage(6, 'srt', '192.0.2.99:1')]);
    assert.deepEqual(items.slice(-2), [
      { type: 'end', session: 5, reason: 'replaced by publisher session 6', replaced: true },
      {
        type: 'session',
        session: 6,
        protocol: 'srt',
        start: { protocol: 'srt', peer: '192.0.2.99:1', replica: 'listener-0' },
      },
    ]);
  });

  test("a silent session gives way to another session's media after staleSessionMs", () => {
    const r = new RelayReassembler({ staleSessionMs: 1000 });
    r.push(startMessage(5, 'rtmp'), 0);
    const other = mediaMessages(RelayKind.ts, 9, new Uint8Array(188).fill(0x47), []);
    assert.deepEqual(r.push(other[0]!, 999), []);
    assert.deepEqual(
      r.push(other[0]!, 1000).map((i) => i.type),
      ['end', 'session', 'ts'],
    );
    assert.equal(r.session, 9);
  });

  test('the end message ends the session with its reason; duplicates are ignored', () => {
    const r = new RelayReassembler();
    const items = run([startMessage(5, 'rtmp'), m1, m1, endMessage(5, 2, 'listener draining')], r);
    assert.deepEqual(items.at(-1), { type: 'end', session: 5, reason: 'listener draining' });
    assert.equal(r.stats.ignoredMessages, 1);
    assert.equal(r.session, undefined);
  });

  test('an unreadable FLV record header resyncs at the next record boundary', () => {
    const malformed: string[] = [];
    const r = new RelayReassembler({ onMalformed: (d) => malformed.push(d) });
    const bad = m(1, encodeFlvRecord(7, 0, new Uint8Array(4)));
    const out = tagsOf(
      run([startMessage(5, 'rtmp'), bad, m(2, records[1]!.subarray(20), cont), m(3, records[3]!)], r),
    );
    assert.deepEqual(
      out.map((t) => t.timestamp),
      [3],
    );
    assert.deepEqual(malformed, ['FLV record of type 7']);
  });
});
