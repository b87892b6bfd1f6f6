// Wire format v1 against a real nats-server whose max_payload (64 KiB) is smaller than the access
// unit: the unit is fragmented to the limit the server announces and reassembled by a subscriber.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  decodeEnvelope,
  encodeEnvelopes,
  isWireError,
  LossCounter,
  Reassembler,
  type WirePacket,
} from '../src/wire/index.js';
import { type NatsServer, startNats } from './support/nats.js';

const SERVER_MAX_PAYLOAD = 64 * 1024;

function accessUnit(seq: number, size: number): WirePacket {
  return {
    codec: 'h264',
    trackId: 256,
    pts: 90_000 + seq * 3_000,
    dts: 90_000 + seq * 3_000,
    key: size > 1000,
    data: Uint8Array.from({ length: size }, (_, i) => (i * 31 + seq) & 0xff),
    inputPriority: 0,
    sessionId: 0x5eed,
    sessionStart: seq === 0,
    seq,
    wallTimeMs: Date.now(),
  };
}

describe('wire format v1 over nats-server', () => {
  let server: NatsServer;
  let nc: NatsConnection;

  before(async () => {
    server = await startNats({ maxPayload: SERVER_MAX_PAYLOAD });
    nc = await connect({ servers: server.url });
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('fragments a 300 KB access unit to the announced max_payload and reassembles it', async () => {
    const maxPayload = nc.info?.max_payload;
    assert.equal(maxPayload, SERVER_MAX_PAYLOAD);
    const subject = 'tributary.test.wire.av';
    const sent = [accessUnit(0, 300 * 1024), accessUnit(1, 900), accessUnit(2, 70_000)];

    const received: WirePacket[] = [];
    const errors: string[] = [];
    const reassembler = new Reassembler();
    const loss = new LossCounter();
    const sub = nc.subscribe(subject, {
      callback: (err, msg) => {
        const envelope = err ? undefined : decodeEnvelope(msg.data);
        if (envelope === undefined || isWireError(envelope)) {
          errors.push(err?.message ?? `${envelope?.kind}: ${envelope?.message}`);
          return;
        }
        const packet = reassembler.push(envelope);
        if (packet === undefined) return;
        loss.observe(packet.sessionId, packet.seq);
        // The client may reuse message buffers; keep a copy.
        received.push({ ...packet, data: Uint8Array.from(packet.data) });
      },
    });
    await nc.flush();

    assert.throws(() => nc.publish(subject, sent[0]!.data), 'the server would refuse the unit unfragmented');
    let messages = 0;
    for (const packet of sent) {
      for (const message of encodeEnvelopes(packet, { maxPayload: maxPayload! })) {
        assert.ok(message.length <= maxPayload!);
        nc.publish(subject, message);
        messages++;
      }
    }
    assert.ok(messages >= 7, `${messages} messages`);
    await nc.flush();
    const deadline = Date.now() + 10_000;
    while (received.length < sent.length && errors.length === 0 && Date.now() < deadline) await sleep(20);
    sub.unsubscribe();

    assert.deepEqual(errors, []);
    assert.deepEqual(received, sent);
    assert.deepEqual(reassembler.stats, {
      completed: 3,
      incomplete: 0,
      duplicates: 0,
      inconsistent: 0,
      oversized: 0,
    });
    assert.equal(loss.stats.lost, 0);
  });
});
