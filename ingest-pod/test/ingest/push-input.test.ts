import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { assertPublishedInputs, countFrom } from './published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from './stream-harness.js';

// A push input without its publish key cannot be registered: the input says so (event and
// status) and the next input is published; nothing crashes, nothing waits.

const media = tsFileFixture({ seconds: 4, gop: 12 });

test('a publish:// input whose publish key is not set is reported unusable and the next input runs', async () => {
  const port = await freeUdpPort();
  const source = udpSource(media.file, port);
  let h: Harness | undefined;
  try {
    h = await startHarness({
      inputs: [{ url: 'publish://', publishKeyEnv: 'PUBLISH_KEY' }, { url: udpUrl(port) }],
      env: { OTHER: 'secret-key' },
    });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 1) >= 25, 'media from input 1');
    const error = h.eventsOf('input.error').find((e) => e.payload.priority === 0);
    assert.equal(error?.payload.permanent, true);
    assert.match(String(error?.payload.message), /publish key env var PUBLISH_KEY is not set/);
    assert.deepEqual(h.eventsOf('input.failover')[0]?.payload, {
      from: -1,
      to: 1,
      reason: 'initial',
      detail: '',
    });
    await h.until(() => harness.status()?.activeInput === 1, 'input 1 active in the status');
    const push = h.status()?.inputs[0];
    assert.ok(push?.state === 'degraded' || push?.state === 'probing', `input 0 is ${push?.state}`);
    assert.match(push?.errors[0]?.message ?? '', /PUBLISH_KEY is not set/);
    assertPublishedInputs(h.packets, [1]);
  } finally {
    await h?.stop();
    await source.stop();
  }
});
