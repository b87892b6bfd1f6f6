import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pino } from 'pino';
import { createLogLimiter, type LogLimiter } from '../../src/observability/log-limiter.js';
import { createPushGate, type KeyCheck } from '../../src/push-listener/gate.js';
import type { Admission } from '../../src/push-listener/push-gate-api.js';
import { createPushMetrics } from '../../src/push-listener/push-metrics.js';
import { decodeRelay, RelayKind, type RelayMessage } from '../../src/push-relay/relay-wire.js';
import type { PublishKeyHash } from '../../src/registry/registry-api.js';
import { MemoryRegistry, testRoute } from '../support/memory-registry.js';

const KEY = 'sekrit-publish-key';

async function setup(
  limiter: LogLimiter = { admit: () => 0 },
  verify: (hash: PublishKeyHash, key: string) => KeyCheck | Promise<KeyCheck> = (_h, k) =>
    k === KEY ? 'match' : 'mismatch',
) {
  const registry = new MemoryRegistry();
  await registry.register(testRoute('news', 'cam'));
  const mirror = await registry.mirror();
  const published: { subject: string; message: RelayMessage }[] = [];
  const nc = {
    info: { max_payload: 1 << 20 } as never,
    publish: (subject: string, data?: Uint8Array | string) =>
      published.push({ subject, message: decodeRelay(data as Uint8Array) }),
  };
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const metrics = createPushMetrics({ processMetrics: false });
  const gate = createPushGate({
    registry,
    mirror,
    nc,
    subjectPrefix: 'tributary',
    replica: 'replica-a',
    verifyKey: verify,
    metrics,
    log,
    refusalLogLimiter: limiter,
  });
  mirror.onChange = (removed) => gate.routesChanged(removed);
  const metric = async (name: string) => (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return { registry, gate, published, lines, metric };
}

const rtmp = (key?: string, route = 'news/cam') => ({
  protocol: 'rtmp' as const,
  peer: '127.0.0.1:4000',
  route,
  ...(key !== undefined && { key }),
});

function reasonOf(admission: Admission): string {
  return admission.ok ? 'accepted' : admission.reason;
}

test('refusals: malformed, unknown, missing and wrong key, busy key check, conflict, unavailable', async () => {
  const { gate, registry, metric, lines } = await setup();
  assert.equal(reasonOf(await gate.admit(rtmp(KEY, 'not a route'))), 'malformed');
  assert.equal(reasonOf(await gate.admit(rtmp(KEY, 'news/other'))), 'not-found');
  assert.equal(reasonOf(await gate.admit(rtmp())), 'bad-key');
  assert.equal(reasonOf(await gate.admit(rtmp('wrong-key'))), 'bad-key');
  const first = await gate.admit(rtmp(KEY));
  assert.equal(reasonOf(first), 'accepted');
  assert.equal(reasonOf(await gate.admit(rtmp(KEY))), 'conflict');
  assert.equal(
    reasonOf(await gate.admit({ protocol: 'srt', peer: '127.0.0.1:1', route: 'news/cam' })),
    'conflict',
  );
  if (first.ok) first.publisher.end('publisher disconnected');
  registry.unavailable = true;
  assert.equal(reasonOf(await gate.admit(rtmp(KEY))), 'unavailable');
  gate.refused('srt', 'bad-passphrase', 'handshake', '127.0.0.1:2');

  const rejections = await metric('tributary_push_rejections_total');
  const count = (protocol: string, reason: string) =>
    rejections.find((v) => v.labels.protocol === protocol && v.labels.reason === reason)?.value;
  assert.equal(count('rtmp', 'bad-key'), 2);
  assert.equal(count('rtmp', 'conflict'), 1);
  assert.equal(count('srt', 'conflict'), 1);
  assert.equal(count('srt', 'bad-passphrase'), 1);
  assert.equal(count('rtmp', 'unavailable'), 1);
  const accepted = await metric('tributary_push_accepted_total');
  assert.equal(accepted.find((v) => v.labels.protocol === 'rtmp')?.value, 1);
  const decisions = lines.map((line) => JSON.parse(line) as { msg: string; peer?: string; reason?: string });
  assert.equal(decisions.filter((d) => d.msg === 'publisher refused').length, 8);
  assert.ok(decisions.every((d) => d.msg === 'publisher ended' || d.peer !== undefined));
  assert.ok(!lines.some((line) => line.includes(KEY) || line.includes('wrong-key')), 'no key in the log');
});

test('a busy key check is unavailable, not a wrong key', async () => {
  const { gate } = await setup(undefined, () => 'busy');
  assert.equal(reasonOf(await gate.admit(rtmp(KEY))), 'unavailable');
});

test('accepted: relay on the _push subject, the mark held until end, end idempotent', async () => {
  const { gate, registry, published, metric } = await setup();
  const admission = await gate.admit(rtmp(KEY));
  assert.ok(admission.ok);
  const { publisher } = admission;
  assert.deepEqual(registry.marks.get('news/cam'), {
    ...registry.marks.get('news/cam'),
    replica: 'replica-a',
    protocol: 'rtmp',
    peer: '127.0.0.1:4000',
    session: publisher.session,
  });
  publisher.relay(new Uint8Array(20));
  await nextTurn();
  publisher.end('publisher disconnected');
  publisher.end('again');
  await nextTurn();
  assert.equal(registry.marks.size, 0, 'the mark was released');
  assert.deepEqual(
    published.map((p) => [p.subject, p.message.kind, p.message.sequence]),
    [
      ['tributary._push.news.cam', RelayKind.start, 0],
      ['tributary._push.news.cam', RelayKind.flv, 1],
      ['tributary._push.news.cam', RelayKind.end, 2],
    ],
  );
  const gauge = await metric('tributary_push_publishers');
  assert.equal(gauge.find((v) => v.labels.protocol === 'rtmp')?.value, 0);
  const bytes = await metric('tributary_push_relayed_bytes_total');
  assert.equal(bytes.find((v) => v.labels.protocol === 'rtmp')?.value, 20);
});

test('revocations: lost mark, unregistered route, re-created Stream, drain', async () => {
  const { gate, registry, published } = await setup();
  await registry.register(testRoute('news', 'two'));
  await registry.register(testRoute('news', 'three'));
  const revoked = new Map<string, string>();
  const admit = async (route: string) => {
    const admission = await gate.admit(rtmp(KEY, route));
    assert.ok(admission.ok, route);
    admission.publisher.onRevoked = (reason) => revoked.set(route, reason);
    return admission.publisher;
  };
  const [cam, two, three] = [await admit('news/cam'), await admit('news/two'), await admit('news/three')];
  registry.loseMark('news/cam', 'taken over');
  assert.equal(revoked.get('news/cam'), 'active mark lost: taken over');
  await registry.unregister('news/two');
  await registry.register(testRoute('news', 'three', { uid: 'another-uid' }));
  await nextTurn();
  assert.equal(revoked.get('news/two'), 'stream unregistered');
  assert.equal(revoked.get('news/three'), 'stream re-created');
  assert.equal(gate.publishers.size, 0);
  const ends = published.filter((p) => p.message.kind === RelayKind.end);
  assert.deepEqual(
    ends.map((p) => [p.message.session, JSON.parse(new TextDecoder().decode(p.message.payload)).reason]),
    [
      [cam.session, 'active mark lost: taken over'],
      [two.session, 'stream unregistered'],
      [three.session, 'stream re-created'],
    ],
  );

  await registry.register(testRoute('news', 'four'));
  await admit('news/four');
  await gate.drain('listener draining');
  assert.equal(revoked.get('news/four'), 'listener draining');
  assert.equal(registry.marks.size, 0);
  assert.equal(reasonOf(await gate.admit(rtmp(KEY, 'news/four'))), 'draining');
});

test('a flood of refusals is counted in full and logged once per encoder, route and reason', async () => {
  const { gate, lines, metric } = await setup(createLogLimiter());
  for (let port = 5000; port < 5100; port++)
    gate.refused('srt', 'not-found', 'handshake rejected', `10.0.0.7:${port}`);
  gate.refused('srt', 'not-found', 'handshake rejected', '10.0.0.8:5000');
  const rejections = await metric('tributary_push_rejections_total');
  assert.equal(rejections.find((v) => v.labels.reason === 'not-found')?.value, 101);
  const peers = lines.map((line) => (JSON.parse(line) as { peer: string }).peer);
  assert.deepEqual(peers, ['10.0.0.7:5000', '10.0.0.8:5000']);
});

test('log limiter: one line per key and interval; the next one tells how many were held back', () => {
  let now = 0;
  const limiter = createLogLimiter(1000, () => now, 2);
  assert.equal(limiter.admit('a'), 0);
  assert.equal(limiter.admit('a'), undefined);
  assert.equal(limiter.admit('a'), undefined);
  assert.equal(limiter.admit('b'), 0);
  now = 1000;
  assert.equal(limiter.admit('a'), 2);
  assert.equal(limiter.admit('c'), 0, 'a third key evicts the oldest');
  assert.equal(limiter.admit('b'), 0, 'b was forgotten');
});
