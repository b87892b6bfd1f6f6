import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { countFrom } from './published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from './stream-harness.js';

// A pod that replaces another starts on standby: connected and ready, silent on every subject, and
// deaf to requests meant for the publishing pod, until the operator releases it by name.

const media = tsFileFixture({ seconds: 4, gop: 12 });
const POD = 'news-ingest-b';

test('standby: ready but silent until released by name, then publishes from a keyframe', async () => {
  const port = await freeUdpPort();
  const source = udpSource(media.file, port);
  let h: Harness | undefined;
  try {
    h = await startHarness({ inputs: [{ url: udpUrl(port) }], standby: POD });
    const harness = h;
    const readyz = () => fetch(`http://127.0.0.1:${harness.service.port}/readyz`).then((r) => r.status);
    await h.until(() => harness.logs().includes('standing by'), 'the standby log line');
    assert.equal(await readyz(), 200, 'ready to take over once connected');

    // A configure meant for the publishing pod, and a release for another pod, get no answer here.
    await assert.rejects(h.control({ op: 'configure', generation: 2, inputs: [] }, 1000), /timeout|TIMEOUT/i);
    await assert.rejects(h.control({ op: 'release', pod: 'news-ingest' }, 1000), /timeout|TIMEOUT/i);
    assert.ok(!h.logs().includes('stream started'), 'no input opened before the release');
    assert.equal(h.packets.length, 0);
    assert.equal(h.events.length, 0);
    assert.equal(h.status(), undefined, 'no status published on standby');

    assert.deepEqual(await h.control({ op: 'release', pod: POD }), {
      ok: true,
      message: 'released: the inputs open and publishing starts',
    });
    await h.until(() => countFrom(harness.packets, 0) >= 25, 'media after the release');
    assert.ok(h.packets[0]!.sessionStart && h.packets[0]!.key, 'starts a session on a keyframe');
    assert.equal(h.eventsOf('stream.started').length, 1);
    assert.deepEqual(await h.control({ op: 'release', pod: POD }), {
      ok: true,
      message: 'already publishing',
    });
    assert.equal(
      (await h.control({ op: 'switch', priority: 0 })).ok,
      true,
      "a released pod answers the publishing pod's requests",
    );
  } finally {
    await h?.stop();
    await source.stop();
  }
});
