import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FfmpegProcess, freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { assertPublishedInputs, countFrom } from './published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from './stream-harness.js';

// Every input down: the stream is exhausted and not ready; the first input to deliver again is
// published at once (reason recovery), whatever its priority.

const media = tsFileFixture({ seconds: 4, gop: 12 });

async function readyz(h: Harness): Promise<{ status: number; reason?: string }> {
  const response = await fetch(`http://127.0.0.1:${h.service.port}/readyz`);
  const body = (await response.json()) as { reason?: string };
  return { status: response.status, ...(body.reason !== undefined && { reason: body.reason }) };
}

test('all inputs down: exhausted, then recovery on the first input that delivers', async () => {
  const [portA, portB] = [await freeUdpPort(), await freeUdpPort()];
  let primary: FfmpegProcess | undefined = udpSource(media.file, portA);
  let backup: FfmpegProcess | undefined = udpSource(media.file, portB);
  let h: Harness | undefined;
  try {
    h = await startHarness({
      inputs: [{ url: udpUrl(portA) }, { url: udpUrl(portB) }],
      failover: { probeAfterMs: 1000 },
    });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 0) >= 25, 'media from input 0');
    assert.equal((await readyz(h)).status, 200);

    await primary.stop();
    primary = undefined;
    await h.until(() => countFrom(harness.packets, 1) >= 25, 'media from input 1');
    await backup.stop();
    backup = undefined;
    await h.until(() => harness.eventsOf('input.exhausted').length > 0, 'input.exhausted');
    assert.deepEqual(h.eventsOf('input.exhausted')[0]?.payload, { lastActive: 1 });
    await h.until(() => harness.status()?.exhausted === true, 'status exhausted');
    assert.equal(h.status()?.live, false);
    for (const input of h.status()?.inputs ?? []) {
      assert.ok(['degraded', 'probing'].includes(input.state), `input ${input.priority} is ${input.state}`);
    }
    assert.deepEqual(await readyz(h), { status: 503, reason: 'input-stalled' });
    const exhaustedAt = h.packets.length;

    primary = udpSource(media.file, portA);
    await h.until(() => harness.eventsOf('input.failover').length >= 3, 'recovery');
    const recovery = h.eventsOf('input.failover')[2]!;
    assert.equal(recovery.payload.reason, 'recovery');
    assert.equal(recovery.payload.from, 1);
    assert.equal(recovery.payload.to, 0);
    assert.equal(h.eventsOf('input.recovered')[0]?.payload.wasExhausted, true);
    await h.until(() => countFrom(harness.packets, 0, exhaustedAt) >= 25, 'media from input 0 again');
    await h.until(() => harness.status()?.exhausted === false, 'status not exhausted');
    assert.equal((await readyz(h)).status, 200);
    assertPublishedInputs(h.packets, [0, 1, 0]);
  } finally {
    await h?.stop();
    await primary?.stop();
    await backup?.stop();
  }
});
