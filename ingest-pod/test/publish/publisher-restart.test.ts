import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { connectNats, createPublisher, type NatsLink } from '../../src/publish/index.js';
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

let server: NatsServer | undefined;
let link: NatsLink | undefined;
after(async () => {
  await link?.drain();
  await server?.stop();
});

function nextChange(target: NatsLink, connected: boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = target.onChange((value) => {
      if (value === connected) {
        off();
        resolve();
      }
    });
  });
}

it('keeps publishing across a nats-server restart and counts what it could not send', async () => {
  server = await startNats();
  const metrics = testMetrics();
  link = await connectNats({
    servers: server.url,
    name: 'restart-test',
    log: quietLogger(),
    metrics,
    reconnectTimeWaitMs: 100,
  });
  // Subscribing on the publisher's own connection: the client re-subscribes before it reports the
  // reconnect, so everything published after that point must arrive.
  const received = collectPackets(link.nc, SUBJECTS.av);
  const events = collectJson(link.nc, SUBJECTS.events);
  const statuses = collectJson(link.nc, SUBJECTS.status);
  await link.nc.flush();
  const publisher = createPublisher({
    nc: link.nc,
    link,
    subjects: SUBJECTS,
    stream: STREAM,
    log: quietLogger(),
    metrics,
  });
  const meta = { inputPriority: 0, sessionId: 1, sessionStart: false };
  let index = 0;
  const publishOne = () => publisher.publishPackets([videoPacket(index++)], meta);

  publisher.publishPackets([videoPacket(index++)], { ...meta, sessionStart: true });
  publishOne();
  await received.until(2);

  // While the client knows it is disconnected: media is dropped and counted, the event and the
  // latest status are held for the reconnect.
  const disconnected = nextChange(link, false).then(() => {
    for (let i = 0; i < 5; i++) publishOne();
    publisher.publishEvent('input.reconnecting', { priority: 0 });
    publisher.publishStatus({ n: 1 });
    publisher.publishStatus({ n: 2 });
  });
  const reconnected = nextChange(link, true);
  await server.restart();
  await disconnected;
  await reconnected;
  assert.ok(link.connected);

  publishOne();
  publishOne();
  await received.until(4);
  await events.until(1);
  await statuses.until(1);

  assert.equal(
    await counterValue(metrics, 'tributary_ingest_publish_failures_total', { reason: 'disconnected' }),
    5,
  );
  assert.equal(await counterValue(metrics, 'tributary_ingest_nats_reconnects_total'), 1);
  assert.equal(await counterValue(metrics, 'tributary_ingest_nats_connected'), 1);
  assert.deepEqual(
    received.packets.map((p) => p.seq),
    [0, 1, 7, 8],
    'the sequence numbers show the consumer which access units were lost',
  );
  assert.equal((events.messages[0] as { type: string }).type, 'input.reconnecting');
  assert.deepEqual(statuses.messages, [{ n: 2 }], 'only the latest held status is sent');
  publisher.close();
});
