import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FfmpegProcess, freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { assertPublishedInputs, countFrom } from './published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from './stream-harness.js';

// The control subject: manual switches (accepted, unknown priority, degraded target) and live
// configurations (relayed Stream edits) that leave the published input alone.

const media = tsFileFixture({ seconds: 4, gop: 12 });

test('control: manual switch, refusals, live edits that do not restart the active input', async () => {
  const [portA, portB, portC] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const primary = udpSource(media.file, portA);
  let backup: FfmpegProcess | undefined = udpSource(media.file, portB);
  let h: Harness | undefined;
  try {
    h = await startHarness({ inputs: [{ url: udpUrl(portA) }, { url: udpUrl(portB) }] });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 0) >= 25, 'media from input 0');

    const unknown = await h.control({ op: 'switch', priority: 5 });
    assert.equal(unknown.ok, false);
    assert.equal(!unknown.ok && unknown.error, 'unknown_priority');
    const garbage = await h.control({ op: 'restart' });
    assert.equal(!garbage.ok && garbage.error, 'invalid_request');

    assert.deepEqual(await h.control({ op: 'switch', priority: 1 }), {
      ok: true,
      message: 'switching to input 1',
    });
    await h.until(() => harness.eventsOf('input.failover').length >= 2, 'manual switch');
    assert.deepEqual(h.eventsOf('input.failover')[1]?.payload, {
      from: 0,
      to: 1,
      reason: 'manual',
      detail: '',
    });
    await h.until(() => countFrom(harness.packets, 1) >= 25, 'media from input 1');
    await h.until(() => harness.status()?.overrideInput === 1, 'override in the status');

    // Edits while input 1 is published: none of them may touch its reader.
    const mark = h.packets.length;
    const session = h.packets.at(-1)!.sessionId;
    const connectedBefore = h.eventsOf('input.connected').length;
    const updatedUrl = `${udpUrl(portA)}?buffer_size=2097152`;
    const configure = (generation: number, inputs: unknown[]) =>
      h!.control({ op: 'configure', generation, inputs, failover: {} });
    const edited = await configure(2, [{ url: updatedUrl }, { url: udpUrl(portB) }, { url: udpUrl(portC) }]);
    assert.deepEqual(edited, { ok: true, message: 'generation 2 applied: inputs changed; 3 inputs' });
    const badUrl = await configure(3, [
      { url: updatedUrl },
      { url: udpUrl(portB) },
      { url: udpUrl(portC) },
      { url: 'ftp://example.com/x.ts' },
    ]);
    assert.equal(!badUrl.ok && badUrl.error, 'invalid_request');
    assert.match(badUrl.message, /inputs\[3\]\.url/);
    const badField = await configure(3, [{ url: updatedUrl }, { url: udpUrl(portB), colour: 1 }]);
    assert.equal(!badField.ok && badField.error, 'invalid_request');
    assert.match(badField.message, /inputs\[1\]\.colour: unknown field/);
    await h.until(() => harness.status()?.inputs.length === 3, 'three inputs in the status');
    assert.equal(h.status()?.inputs[0]?.url, updatedUrl);
    assert.equal(h.status()?.configGeneration, 2, 'the status says which generation runs');
    assert.equal((await configure(3, [{ url: updatedUrl }, { url: udpUrl(portB) }])).ok, true);
    await h.until(() => harness.status()?.inputs.length === 2, 'two inputs again');
    await h.until(() => countFrom(harness.packets, 1, mark) >= 50, 'more media from input 1');

    const since = h.packets.slice(mark);
    assert.ok(since.every((p) => p.inputPriority === 1 && !p.sessionStart && p.sessionId === session));
    assert.equal(h.eventsOf('input.connected').length, connectedBefore, 'no reader was reopened');
    assert.equal(h.eventsOf('input.failover').length, 2);

    await backup.stop();
    backup = undefined;
    await h.until(() => harness.eventsOf('input.failover').length >= 3, 'failover back to input 0');
    assert.equal(h.eventsOf('input.failover')[2]?.payload.reason, 'timeout');
    assert.equal(h.status()?.overrideInput, null);
    const degraded = await h.control({ op: 'switch', priority: 1 });
    assert.equal(!degraded.ok && degraded.error, 'input_degraded');
    assert.match(degraded.message, /input 1 is degraded \(no packet for/);
    await h.until(() => countFrom(harness.packets, 0, mark) >= 25, 'media from the updated input 0');
    assertPublishedInputs(h.packets, [0, 1, 0]);
  } finally {
    await h?.stop();
    await primary.stop();
    await backup?.stop();
  }
});
