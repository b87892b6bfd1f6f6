import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FfmpegProcess, freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { assertPublishedInputs, countFrom } from './published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from './stream-harness.js';

// Two UDP sources: the primary stops, the backup takes over; the primary comes back within the
// hold-down, and the stream fails back to it once the hold-down is over, not before.

const HOLD_DOWN_MS = 3000;
const media = tsFileFixture({ seconds: 4, gop: 12 });

test('udp primary stops: timeout failover to the backup, failback after the hold-down', async () => {
  const [portA, portB] = [await freeUdpPort(), await freeUdpPort()];
  let primary: FfmpegProcess | undefined = udpSource(media.file, portA);
  const backup = udpSource(media.file, portB);
  let h: Harness | undefined;
  try {
    h = await startHarness({
      inputs: [{ url: udpUrl(portA) }, { url: udpUrl(portB) }],
      failover: { probeAfterMs: 1000, failbackHoldDownMs: HOLD_DOWN_MS },
    });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 0) >= 50, 'media from input 0');
    await h.until(() => harness.status()?.activeInput === 0, 'input 0 active in the status');

    await primary.stop();
    primary = undefined;
    await h.until(() => harness.eventsOf('input.failover').length >= 2, 'failover to input 1');
    const failover = h.eventsOf('input.failover')[1]!;
    assert.equal(failover.payload.from, 0);
    assert.equal(failover.payload.to, 1);
    assert.equal(failover.payload.reason, 'timeout');
    assert.match(String(failover.payload.detail), /^no packet for .* \(timeout 1 s\)$/);
    const switchedAt = h.packets.length;
    // Back at once, so that it is healthy again well inside the hold-down even on a slow machine.
    primary = udpSource(media.file, portA);
    await h.until(() => countFrom(harness.packets, 1) >= 25, 'media from input 1');
    await h.until(() => harness.eventsOf('input.failover').length >= 3, 'failback to input 0');
    const recovered = h.eventsOf('input.recovered');
    const failback = h.eventsOf('input.failover')[2]!;
    assert.deepEqual(failback.payload, { from: 1, to: 0, reason: 'failback', detail: '' });
    assert.equal(recovered[0]?.payload.priority, 0);
    const timeoutAt = Date.parse(failover.at);
    // The primary was healthy again well inside the hold-down, so only the hold-down held it back.
    assert.ok(Date.parse(recovered[0]!.at) < timeoutAt + HOLD_DOWN_MS, 'recovered inside the hold-down');
    assert.ok(countFrom(h.packets, 1, switchedAt) > 0);
    await h.until(() => countFrom(harness.packets, 0, switchedAt) >= 25, 'media from input 0 again');

    const switches = h.status()?.switches ?? [];
    assert.deepEqual(
      switches.map((s) => [s.from, s.to, s.reason]),
      [
        [1, 0, 'failback'],
        [0, 1, 'timeout'],
        [-1, 0, 'initial'],
      ],
    );
    const held = Date.parse(switches[0]!.at) - Date.parse(switches[1]!.at);
    assert.ok(
      held >= HOLD_DOWN_MS - 1,
      `failback ${held} ms after the failover, hold-down ${HOLD_DOWN_MS} ms`,
    );
    assertPublishedInputs(h.packets, [0, 1, 0]);
    const degraded = h.eventsOf('input.degraded')[0];
    assert.equal(degraded?.payload.priority, 0);
    assert.match(h.status()?.inputs[0]?.errors[0]?.message ?? '', /^no packet for/);
  } finally {
    await h?.stop();
    await primary?.stop();
    await backup.stop();
  }
});
