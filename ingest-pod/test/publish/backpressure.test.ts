// A connected but frozen nats-server (SIGSTOP): the publisher keeps its unconfirmed output within
// the budget by dropping whole AV packets, never fragments, and never events.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectNats, createPublisher, type NatsLink } from '../../src/publish/index.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { waitFor } from '../support/peers.js';
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
const PACKET_BYTES = 16 * 1024; // four or five envelopes each
const BUDGET = 256 * 1024;

let server: NatsServer;
let link: NatsLink;
let subscriber: NatsConnection;

before(async () => {
  server = await startNats({ maxPayload: MAX_PAYLOAD });
  link = await connectNats({ servers: server.url, name: 'backpressure-test', log: quietLogger() });
  subscriber = await connect({ servers: server.url });
});
after(async () => {
  server?.resume();
  await subscriber?.close();
  await link?.drain();
  await server?.stop();
});

test('a frozen server: AV packets beyond the pending budget are dropped whole and counted', async () => {
  const received = collectPackets(subscriber, SUBJECTS.av);
  const events = collectJson(subscriber, SUBJECTS.events);
  await subscriber.flush();
  const metrics = testMetrics();
  const publisher = createPublisher({
    nc: link.nc,
    link,
    subjects: SUBJECTS,
    stream: STREAM,
    log: quietLogger(),
    metrics,
    maxPendingBytes: BUDGET,
  });
  const meta = { inputPriority: 0, sessionId: 1, sessionStart: false };
  const backpressureDrops = () =>
    counterValue(metrics, 'tributary_ingest_publish_failures_total', { reason: 'backpressure' });

  server.pause();
  const total = 200;
  let peak = 0;
  for (let i = 0; i < total; i++) {
    publisher.publishPackets([videoPacket(i, PACKET_BYTES)], meta);
    peak = Math.max(peak, publisher.pendingBytes);
    if (i % 8 === 0) await turn(); // let the client write to its socket, as a live feed would
  }
  publisher.publishEvent('input.failover', { from: 0, to: 1 });
  const dropped = await backpressureDrops();
  const admitted = total - dropped;
  assert.ok(peak <= BUDGET, `pending peaked at ${peak} bytes, budget ${BUDGET}`);
  assert.ok(dropped > 0, 'the frozen server made the publisher drop');
  assert.ok(admitted >= Math.floor(BUDGET / (PACKET_BYTES + 1024)), `only ${admitted} admitted`);

  server.resume();
  await events.until(1);
  await received.until(admitted);
  assert.deepEqual(received.errors, [], 'every packet that went out went out whole');
  assert.equal(received.packets.length, admitted);
  assert.ok(received.packets.every((p) => p.data.length === PACKET_BYTES));

  // Once the server confirms what it was sent, packets are admitted again.
  const before = received.packets.length;
  let next = total;
  await waitFor(() => {
    publisher.publishPackets([videoPacket(next++, PACKET_BYTES)], meta);
    return received.packets.length > before;
  }, 'a packet admitted after the server resumed');
  publisher.close();
});
