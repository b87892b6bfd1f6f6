import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamSpec } from '@tributary/crds';
import { ingestPodConfig } from '../../src/reconcile/ingest-config.js';
import { stream } from '../support/fixtures.js';

test('spec.failover durations reach the pod in ms; absent, unparsable or non-positive ones keep the default', () => {
  const rows: { failover: StreamSpec['failover']; expect: Record<string, number> }[] = [
    { failover: undefined, expect: {} },
    { failover: {}, expect: {} },
    {
      failover: { packetTimeout: '500ms', probeAfter: '1m', probeTimeout: '2.5s', failbackHoldDown: '1m30s' },
      expect: {
        packetTimeoutMs: 500,
        probeAfterMs: 60_000,
        probeTimeoutMs: 2500,
        failbackHoldDownMs: 90_000,
      },
    },
    { failover: { packetTimeout: '0', probeAfter: 'soon', probeTimeout: '-1s' }, expect: {} },
  ];
  for (const row of rows) {
    const { config } = ingestPodConfig(
      stream('news', row.failover ? { failover: row.failover } : {}),
      'tributary',
    );
    assert.deepEqual(config.failover, row.expect, JSON.stringify(row.failover));
  }
});
