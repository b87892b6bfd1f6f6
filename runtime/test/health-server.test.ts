import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { type Health, startHealthServer } from '../src/index.js';

describe('health server', () => {
  it('serves /healthz, /readyz (503 with a reason, then 200) and /metrics', async (t) => {
    const registry = new Registry();
    new Counter({ name: 'runtime_test_total', help: 'a counter', registers: [registry] }).inc();
    let readiness: Health = { ok: false, reason: 'nats-disconnected', detail: 'not connected to NATS' };
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry,
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
    assert.match(await scrape.text(), /runtime_test_total 1/);

    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const post = await fetch(`${base}/healthz`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  });

  it('reports liveness failures on /healthz', async (t) => {
    const registry = new Registry();
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      readiness: () => ({ ok: true }),
      liveness: () => ({ ok: false, reason: 'nats-closed', detail: 'the NATS connection closed for good' }),
    });
    t.after(() => server.close());
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { reason: string }).reason, 'nats-closed');
  });
});
