import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { assertMonotonicPerTrack, countFrom } from './published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from './stream-harness.js';

// `configure` (a Stream edit relayed by the operator) that changes the published input itself:
// the new source is connected while the old one keeps publishing (make-before-break), and the
// failover settings change too.

const media = tsFileFixture({ seconds: 4, gop: 12 });

test('configure: a changed active input is replaced make-before-break; repeating it changes nothing', async () => {
  const [portA, portB] = [await freeUdpPort(), await freeUdpPort()];
  const sources = [udpSource(media.file, portA), udpSource(media.file, portB)];
  let h: Harness | undefined;
  try {
    h = await startHarness({ inputs: [{ url: udpUrl(portA) }], failover: { packetTimeoutMs: 1000 } });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 0) >= 25, 'media from input A');
    const oldSession = h.packets.at(-1)!.sessionId;

    const request = {
      op: 'configure',
      generation: 2,
      inputs: [{ url: udpUrl(portB) }],
      failover: { packetTimeoutMs: 2500 },
    };
    const reply = await h.control(request);
    assert.deepEqual(reply, {
      ok: true,
      message: 'generation 2 applied: inputs and failover settings changed; 1 inputs',
    });
    const isTakeover = (p: (typeof harness.packets)[number]) => p.sessionStart && p.sessionId !== oldSession;
    await h.until(() => harness.packets.some(isTakeover), 'the new input published');
    // Make-before-break: the old input stays published up to the takeover, with no gap. (Not
    // "packets after the reply": those can arrive in the reply's own read, before the test sees it.)
    const takeover = h.packets.findIndex(isTakeover);
    const lastOld = h.packets[takeover - 1]!;
    assert.equal(lastOld.sessionId, oldSession, 'the old input was published until the takeover');
    const gapMs = h.packets[takeover]!.wallTimeMs - lastOld.wallTimeMs;
    assert.ok(gapMs < 500, `${gapMs} ms without media at the takeover: the old input was let go first`);
    assert.ok(h.packets[takeover]!.key, 'the new input starts on a keyframe');
    assert.equal(h.eventsOf('input.failover').length, 1, 'an update of the input is not a failover');
    await h.until(() => harness.status()?.configGeneration === 2, 'generation 2 in the status');
    assert.equal(h.status()?.inputs[0]?.url, udpUrl(portB));

    const failovers = h.eventsOf('input.failover').length;
    assert.deepEqual(await h.control(request), {
      ok: true,
      message: 'generation 2 applied: nothing changed; 1 inputs',
    });
    const again = h.packets.length;
    await h.until(() => countFrom(harness.packets, 0, again) >= 25, 'more media');
    assert.ok(
      h.packets.slice(again).every((p) => !p.sessionStart),
      'no reader was reopened',
    );
    assert.equal(h.eventsOf('input.failover').length, failovers);
    assertMonotonicPerTrack(h.packets);
  } finally {
    await h?.stop();
    await Promise.all(sources.map((s) => s.stop()));
  }
});
