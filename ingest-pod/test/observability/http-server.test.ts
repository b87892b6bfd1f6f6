import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkReadiness,
  createIngestMetrics,
  type Health,
  type ReadinessFacts,
  startHealthServer,
} from '../../src/observability/index.js';

describe('checkReadiness', () => {
  const ready: ReadinessFacts = {
    natsConnected: true,
    activeInput: 0,
    lastPacketAt: 10_000,
    packetTimeoutMs: 1000,
    now: 11_000,
  };
  const cases: [string, Partial<ReadinessFacts>, string | undefined][] = [
    ['connected and delivering within the timeout', {}, undefined],
    ['NATS down', { natsConnected: false }, 'nats-disconnected'],
    ['no active input', { activeInput: null }, 'no-active-input'],
    ['active input silent so far', { lastPacketAt: null }, 'no-media'],
    ['active input silent past its timeout', { now: 11_001 }, 'input-stalled'],
    ['on standby: connected is enough', { standby: true, activeInput: null, lastPacketAt: null }, undefined],
    ['on standby without NATS', { standby: true, natsConnected: false }, 'nats-disconnected'],
  ];
  for (const [name, change, reason] of cases) {
    it(name, () => {
      const health = checkReadiness({ ...ready, ...change });
      assert.equal(health.ok ? undefined : health.reason, reason);
    });
  }
});

describe('health server', () => {
  it('serves /healthz, /readyz (503 with a reason, then 200) and /metrics', async (t) => {
    const metrics = createIngestMetrics({ processMetrics: false });
    metrics.countAccessUnit('aac');
    let readiness: Health = { ok: false, reason: 'nats-disconnected', detail: 'not connected to NATS' };
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      readiness: () => readiness,
    });
    t.after(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;

    const healthz = await fetch(`${base}/healthz`);
    assert.deepEqual([healthz.status, await healthz.json()], [200, { status: 'ok' }]);

    const notReady = await fetch(`${base}/readyz`);
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), {
      status: 'unavailable',
      reason: 'nats-disconnected',
      detail: 'not connected to NATS',
    });

    readiness = { ok: true };
    const isReady = await fetch(`${base}/readyz?verbose`);
    assert.equal(isReady.status, 200);
    await isReady.body?.cancel();

    const scrape = await fetch(`${base}/metrics`);
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await scrape.text(), /tributary_ingest_access_units_total\{codec="aac"\} 1/);

    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const post = await fetch(`${base}/healthz`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  });

  it('reports liveness failures on /healthz', async (t) => {
    const metrics = createIngestMetrics({ processMetrics: false });
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      readiness: () => ({ ok: true }),
      liveness: () => ({ ok: false, reason: 'nats-closed', detail: 'the NATS connection closed for good' }),
    });
    t.after(() => server.close());
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { reason: string }).reason, 'nats-closed');
  });
});
