import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RELAY_BATCH_BYTES, RelayPublisher } from '../../src/push-listener/relay-publisher.js';
import {
  decodeRelay,
  encodeFlvRecord,
  RELAY_FLAG_CONTINUATION,
  RELAY_HEADER_BYTES,
  RelayKind,
  type RelayMessage,
} from '../../src/push-relay/relay-wire.js';

/** A NATS connection that keeps what is published. */
function fakeNats(maxPayload = 1024 * 1024) {
  const published: { subject: string; message: RelayMessage; size: number }[] = [];
  return {
    published,
    info: { max_payload: maxPayload } as never,
    publish(subject: string, data?: Uint8Array | string) {
      const bytes = data as Uint8Array;
      published.push({ subject, message: decodeRelay(bytes), size: bytes.length });
    },
  };
}

const START = { protocol: 'srt', peer: '127.0.0.1:5000', replica: 'r1' } as const;
const bytesOf = (length: number, fill = 0x47) => new Uint8Array(length).fill(fill);

test('start first, then the bytes of one turn in one message, then end; sequence from 0', async () => {
  const nc = fakeNats();
  const counted = { bytes: 0, messages: 0 };
  const relay = new RelayPublisher({
    nc,
    subject: 'tributary._push.ns.cam',
    start: START,
    counters: {
      bytes: (n) => (counted.bytes += n),
      messages: (n) => (counted.messages += n),
      failed: () => assert.fail('no failure expected'),
    },
  });
  assert.equal(nc.published.length, 1);
  const start = nc.published[0]?.message;
  assert.equal(start?.kind, RelayKind.start);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(start?.payload)), START);
  relay.relay(bytesOf(1316));
  relay.relay(bytesOf(188 * 3));
  assert.equal(nc.published.length, 1, 'nothing leaves before the end of the turn');
  await nextTurn();
  assert.equal(nc.published.length, 2);
  const media = nc.published[1]?.message;
  assert.equal(media?.kind, RelayKind.ts);
  assert.equal(media?.payload.length, 1316 + 564);
  relay.end('publisher disconnected');
  relay.end('twice');
  relay.relay(bytesOf(188));
  await nextTurn();
  assert.equal(nc.published.length, 3);
  const end = nc.published[2]?.message;
  assert.equal(end?.kind, RelayKind.end);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(end?.payload)), { reason: 'publisher disconnected' });
  assert.deepEqual(
    nc.published.map((p) => [p.subject, p.message.session, p.message.sequence]),
    [0, 1, 2].map((sequence) => ['tributary._push.ns.cam', relay.session, sequence]),
  );
  assert.deepEqual(counted, { bytes: 1880, messages: 3 });
});

test('a full batch leaves at once; a small max_payload cuts messages to fit with the header', async () => {
  const big = fakeNats();
  const relay = new RelayPublisher({ nc: big, subject: 's', start: START });
  relay.relay(bytesOf(RELAY_BATCH_BYTES + 100));
  assert.equal(big.published.length, 2, 'the whole batch did not wait for the turn to end');
  assert.equal(big.published[1]?.message.payload.length, RELAY_BATCH_BYTES);
  await nextTurn();
  assert.equal(big.published[2]?.message.payload.length, 100);

  const small = fakeNats(1000);
  const cut = new RelayPublisher({ nc: small, subject: 's', start: START });
  const data = Uint8Array.from({ length: 5000 }, (_, i) => i % 251);
  cut.relay(data);
  cut.end('done');
  const media = small.published.filter((p) => p.message.kind === RelayKind.ts);
  assert.ok(media.every((p) => p.size <= 1000));
  assert.equal(media[0]?.message.payload.length, 1000 - RELAY_HEADER_BYTES);
  assert.deepEqual(Buffer.concat(media.map((p) => p.message.payload)), Buffer.from(data));
  assert.deepEqual(
    small.published.map((p) => p.message.sequence),
    small.published.map((_, i) => i),
  );
});

test('FLV: a message that begins inside a record is flagged as a continuation', async () => {
  const nc = fakeNats(RELAY_HEADER_BYTES + 100);
  const relay = new RelayPublisher({ nc, subject: 's', start: { ...START, protocol: 'rtmp' } });
  relay.relay(encodeFlvRecord(9, 0, bytesOf(150, 1))); // 159 bytes: 100 + 59
  relay.relay(encodeFlvRecord(8, 0, bytesOf(32, 2))); // 41 bytes: ends exactly at 200
  relay.relay(encodeFlvRecord(8, 20, bytesOf(10, 3))); // 19 bytes: starts a message on its own
  await nextTurn();
  const media = nc.published.slice(1).map((p) => p.message);
  assert.deepEqual(
    media.map((m) => [m.kind, m.payload.length, m.flags]),
    [
      [RelayKind.flv, 100, 0],
      [RelayKind.flv, 100, RELAY_FLAG_CONTINUATION],
      [RelayKind.flv, 19, 0],
    ],
  );
});

test('a publish the client refuses is counted, and the relay goes on', () => {
  let failures = 0;
  let refuse = false;
  const nc = {
    info: { max_payload: 1 << 20 } as never,
    publish() {
      if (refuse) throw new Error('connection closed');
    },
  };
  const relay = new RelayPublisher({
    nc,
    subject: 's',
    start: START,
    counters: { bytes: () => undefined, messages: () => undefined, failed: () => failures++ },
  });
  refuse = true;
  relay.relay(bytesOf(10));
  relay.flush();
  relay.end('gone');
  assert.equal(failures, 2);
});
