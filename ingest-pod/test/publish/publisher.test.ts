import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectNats, createPublisher, type NatsLink, type StreamEvent } from '../../src/publish/index.js';
import { HEADER_SIZE } from '../../src/wire/index.js';
import { type NatsServer, startNats } from '../support/nats.js';
import {
  collectJson,
  collectPackets,
  counterValue,
  quietLogger,
  STREAM,
  SUBJECTS,
  testMetrics,
  videoPacket,
} from './helpers.js';

const MAX_PAYLOAD = 4096;
const NOW = Date.UTC(2026, 5, 1, 8, 30);

describe('publisher on a real nats-server', () => {
  let server: NatsServer;
  let link: NatsLink;
  let subscriber: NatsConnection;

  before(async () => {
    server = await startNats({ maxPayload: MAX_PAYLOAD });
    link = await connectNats({ servers: server.url, name: 'publisher-test', log: quietLogger() });
    subscriber = await connect({ servers: server.url });
  });
  after(async () => {
    await subscriber?.close();
    await link?.drain();
    await server?.stop();
  });

  it('sends access units as envelopes: per-session seq, session flag, fragments above max_payload', async () => {
    const metrics = testMetrics();
    const received = collectPackets(subscriber, SUBJECTS.av);
    await subscriber.flush();
    const publisher = createPublisher({
      nc: link.nc,
      link,
      subjects: SUBJECTS,
      stream: STREAM,
      log: quietLogger(),
      metrics,
      now: () => NOW,
    });
    const sent = [
      videoPacket(0),
      videoPacket(1, 10_000),
      videoPacket(2),
      videoPacket(3),
      videoPacket(4),
      videoPacket(5),
    ];
    publisher.publishPackets(sent.slice(0, 3), { inputPriority: 1, sessionId: 7, sessionStart: true });
    publisher.publishPackets(sent.slice(3, 4), { inputPriority: 1, sessionId: 7, sessionStart: false });
    publisher.publishPackets(sent.slice(4), { inputPriority: 0, sessionId: 8, sessionStart: true });
    await received.until(6);

    assert.deepEqual(received.errors, []);
    assert.deepEqual(
      received.packets.map((p) => [p.sessionId, p.seq, p.sessionStart, p.inputPriority]),
      [
        [7, 0, true, 1],
        [7, 1, false, 1],
        [7, 2, false, 1],
        [7, 3, false, 1],
        [8, 0, true, 0],
        [8, 1, false, 0],
      ],
    );
    received.packets.forEach((packet, index) => {
      const original = sent[index]!;
      assert.deepEqual(
        [packet.codec, packet.trackId, packet.pts, packet.dts, packet.key, packet.wallTimeMs],
        [original.codec, original.trackId, original.pts, original.dts, original.key, NOW],
      );
      assert.ok(Buffer.from(packet.data).equals(original.data), `payload of access unit ${index}`);
    });
    const fragments = Math.ceil(10_000 / (MAX_PAYLOAD - HEADER_SIZE));
    assert.equal(await counterValue(metrics, 'tributary_ingest_published_messages_total'), 5 + fragments);
    assert.equal(await counterValue(metrics, 'tributary_ingest_access_units_total', { codec: 'h264' }), 6);
    publisher.close();
  });

  it('sends events and status snapshots as JSON', async () => {
    const events = collectJson(subscriber, SUBJECTS.events);
    const statuses = collectJson(subscriber, SUBJECTS.status);
    await subscriber.flush();
    const publisher = createPublisher({
      nc: link.nc,
      link,
      subjects: SUBJECTS,
      stream: STREAM,
      log: quietLogger(),
      metrics: testMetrics(),
      now: () => NOW,
    });
    publisher.publishEvent('input.failover', { from: 0, to: 1, reason: 'timeout' });
    publisher.publishEvent('stream.started');
    publisher.publishStatus({ activeInput: 1, inputs: [] });
    await events.until(2);
    await statuses.until(1);
    const [failover, started] = events.messages as StreamEvent[];
    assert.match(failover!.id, /^[0-9a-f-]{36}$/);
    assert.notEqual(failover!.id, started!.id);
    assert.deepEqual(
      { ...failover, id: undefined },
      {
        id: undefined,
        type: 'input.failover',
        stream: STREAM,
        at: new Date(NOW).toISOString(),
        payload: { from: 0, to: 1, reason: 'timeout' },
      },
    );
    assert.deepEqual(started!.payload, {});
    assert.deepEqual(statuses.messages, [{ activeInput: 1, inputs: [] }]);
    publisher.close();
  });

  it('counts an access unit it cannot encode and carries on with the next', async () => {
    const metrics = testMetrics();
    const received = collectPackets(subscriber, `${SUBJECTS.av}.bad`);
    await subscriber.flush();
    const publisher = createPublisher({
      nc: link.nc,
      subjects: { ...SUBJECTS, av: `${SUBJECTS.av}.bad` },
      stream: STREAM,
      log: quietLogger(),
      metrics,
    });
    const broken = { ...videoPacket(0), dts: Number.NaN };
    publisher.publishPackets([broken, videoPacket(1)], {
      inputPriority: 0,
      sessionId: 1,
      sessionStart: true,
    });
    await received.until(1);
    assert.equal(
      await counterValue(metrics, 'tributary_ingest_publish_failures_total', { reason: 'encode' }),
      1,
    );
    assert.deepEqual(
      received.packets.map((p) => [p.seq, p.sessionStart]),
      [[1, true]],
      'the session flag moves to the first access unit that actually left',
    );
    publisher.close();
  });
});
