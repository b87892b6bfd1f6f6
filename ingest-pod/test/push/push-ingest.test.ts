import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertMonotonicPerTrack, assertPublishedInputs, countFrom } from '../ingest/published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from '../ingest/stream-harness.js';
import { type FfmpegProcess, freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { type FakePublisher, publishFlv, publishTs } from './fake-publisher.js';
import { PEER } from './relay-fixtures.js';

// The whole ingest service in-process with a push input: a fake push-listener relays an encoder's
// media on the stream's push subject of a real nats-server.

const HOLD_DOWN_MS = 3000;
const media = tsFileFixture({ seconds: 4, gop: 12 });
const PUSH = { url: 'publish://', publishKeyEnv: 'PUBLISH_KEY' };
const env = { PUBLISH_KEY: 'a-publish-key-of-some-length' };
const pushSubject = (h: Harness) => `tributary._push.${h.config.stream.namespace}.${h.config.stream.name}`;
const at = (event: { at: string } | undefined) => Date.parse(event?.at ?? '');

test('push primary with a UDP backup: backup at once, failback after the hold-down, failover when the publisher leaves', async () => {
  const port = await freeUdpPort();
  const backup: FfmpegProcess = udpSource(media.file, port);
  let publisher: FakePublisher | undefined;
  let h: Harness | undefined;
  try {
    h = await startHarness({
      inputs: [PUSH, { url: udpUrl(port) }],
      env,
      failover: { probeAfterMs: 500, failbackHoldDownMs: HOLD_DOWN_MS },
    });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 1) >= 25, 'media from the backup');
    assert.deepEqual(h.eventsOf('input.failover')[0]?.payload, {
      from: -1,
      to: 1,
      reason: 'initial',
      detail: '',
    });
    const push = () => harness.status()?.inputs[0];
    await h.until(() => push()?.errors.length === 1, 'the push input error in the status');
    assert.equal(push()?.errors[0]?.message, 'no pusher connected');
    assert.ok(
      !h.events.some((e) => /no media within/.test(String(e.payload.message ?? e.payload.reason))),
      'failed over on "no pusher connected", not on the candidate deadline',
    );

    publisher = publishTs(h.observer, pushSubject(h), 77, media.file);
    const failbacks = () => harness.eventsOf('input.failover').filter((e) => e.payload.to === 0);
    await h.until(() => failbacks().length === 1, 'failback to the push input');
    assert.equal(failbacks()[0]?.payload.reason, 'failback');
    assert.ok(
      at(failbacks()[0]) - at(h.eventsOf('input.failover')[0]) >= HOLD_DOWN_MS - 50,
      'after the hold-down',
    );
    const connected = h.eventsOf('input.connected').find((e) => e.payload.priority === 0);
    assert.equal(connected?.payload.protocol, 'srt');
    assert.equal(connected?.payload.peer, PEER);
    const failbackAt = h.packets.length;
    await h.until(() => countFrom(harness.packets, 0, failbackAt) >= 50, 'media from the push input');

    await publisher.stop('publisher disconnected');
    publisher = undefined;
    const last = () => harness.eventsOf('input.failover').at(-1)?.payload;
    await h.until(() => last()?.to === 1 && last()?.from === 0, 'failover when the publisher left');
    assert.equal(last()?.detail, 'pusher disconnected: publisher disconnected');
    await h.until(
      () => push()?.errors[0]?.message === 'pusher disconnected: publisher disconnected',
      'the error',
    );
    const back = h.packets.length;
    await h.until(() => countFrom(harness.packets, 1, back) >= 25, 'media from the backup again');
    assertPublishedInputs(h.packets, [1, 0, 1]);
    // This nats-server has no JetStream: registering is retried, and nothing else suffers.
    const attempts = h.logs().match(/could not register the push route/g) ?? [];
    assert.ok(attempts.length >= 2, `${attempts.length} registration attempts`);
    assert.doesNotMatch(h.logs(), new RegExp(env.PUBLISH_KEY));
  } finally {
    await publisher?.stop();
    await h?.stop();
    await backup.stop();
  }
});

test('a sole push input waits quietly for a publisher, then goes live on its first media', async () => {
  let publisher: FakePublisher | undefined;
  let h: Harness | undefined;
  try {
    // A candidate deadline shorter than the wait before "no pusher connected": it must not apply.
    h = await startHarness({ inputs: [PUSH], env, failover: { probeTimeoutMs: 500 } });
    const harness = h;
    await h.until(() => /input has no source/.test(harness.logs()), 'the reader saying nobody publishes');
    await h.until(() => harness.status() !== undefined, 'a status');
    const noisy = [
      'input.error',
      'input.degraded',
      'input.exhausted',
      'input.failover',
      'input.reconnecting',
    ];
    assert.deepEqual(
      h.events.filter((e) => noisy.includes(e.type)),
      [],
    );
    assert.deepEqual(h.status()?.inputs[0]?.errors, []);

    publisher = publishFlv(h.observer, pushSubject(h), 5);
    await h.until(() => harness.status()?.live === true && harness.status()?.activeInput === 0, 'live');
    assert.deepEqual(h.eventsOf('input.failover')[0]?.payload, {
      from: -1,
      to: 0,
      reason: 'initial',
      detail: '',
    });
    assert.deepEqual(h.eventsOf('input.connected')[0]?.payload, {
      priority: 0,
      role: 'candidate',
      protocol: 'rtmp',
      peer: PEER,
    });
    await h.until(() => countFrom(harness.packets, 0) >= 50, 'media');
    assert.ok(h.packets.some((p) => p.codec === 'aac'));

    await publisher.stop('publisher disconnected');
    publisher = undefined;
    await h.until(() => harness.status()?.exhausted === true, 'exhausted when the publisher left');
    assert.equal(h.status()?.inputs[0]?.errors[0]?.message, 'pusher disconnected: publisher disconnected');
    publisher = publishFlv(h.observer, pushSubject(h), 6);
    await h.until(() => harness.status()?.live === true, 'live again with the next publisher');
    assert.equal(h.eventsOf('input.failover').at(-1)?.payload.reason, 'recovery');
    const again = h.packets.length;
    await h.until(() => countFrom(harness.packets, 0, again) >= 50, 'media of the next publisher');
    assertMonotonicPerTrack(h.packets);
  } finally {
    await publisher?.stop();
    await h?.stop();
  }
});
