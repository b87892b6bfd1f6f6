import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { connectNats } from '../../src/publish/index.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { counterValue, quietLogger, testMetrics } from './helpers.js';

let server: NatsServer | undefined;
after(() => server?.stop());

it('reports a connection closed for good: not connected, closed, gauge at 0', async () => {
  server = await startNats();
  const metrics = testMetrics();
  const link = await connectNats({ servers: server.url, name: 'close-test', log: quietLogger(), metrics });
  assert.deepEqual([link.connected, link.closed], [true, false]);
  assert.equal(await counterValue(metrics, 'tributary_ingest_nats_connected'), 1);

  const changes: boolean[] = [];
  link.onChange((connected) => changes.push(connected));
  await link.nc.close();
  await link.nc.closed();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual([link.connected, link.closed, changes], [false, true, [false]]);
  assert.equal(await counterValue(metrics, 'tributary_ingest_nats_connected'), 0);
  await link.drain();
});
