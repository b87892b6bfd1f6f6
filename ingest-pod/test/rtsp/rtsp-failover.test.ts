import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertMonotonicPerTrack, countFrom } from '../ingest/published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from '../ingest/stream-harness.js';
import { freeUdpPort } from '../support/peers.js';
import { type RtspServerPeer, startRtspServer } from '../support/rtsp-peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';

// A camera (GStreamer's RTSP server) with a UDP backup in a real ingest service: the camera
// reboots (the server stops), the stream fails over to UDP; the camera comes back on its port,
// and the stream fails back to it after the hold-down. Published timestamps stay monotonic.

const media = tsFileFixture({ seconds: 4, gop: 12 });

test('rtsp primary → udp backup when the camera stops → rtsp again when it is back', async () => {
  const port = await freeUdpPort();
  const backup = udpSource(media.file, port);
  let camera: RtspServerPeer | undefined = await startRtspServer();
  let h: Harness | undefined;
  try {
    h = await startHarness({
      inputs: [{ url: `${camera.url('/test')}?transport=tcp` }, { url: udpUrl(port) }],
      failover: { probeAfterMs: 1000, failbackHoldDownMs: 2000 },
    });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 0) >= 50, 'media from the camera', 30_000);
    const cameraPort = camera.port;
    await camera.stop();
    camera = undefined;
    await h.until(
      () => harness.eventsOf('input.failover').some((e) => e.payload.to === 1),
      'failover to the UDP backup',
    );
    const switchedAt = h.packets.length;
    await h.until(() => countFrom(harness.packets, 1, switchedAt) >= 25, 'media from the backup');

    camera = await startRtspServer({ port: cameraPort });
    await h.until(
      () =>
        harness.eventsOf('input.failover').some((e) => e.payload.to === 0 && e.payload.reason === 'failback'),
      'failback to the camera',
      30_000,
    );
    const backAt = h.packets.length;
    await h.until(() => countFrom(harness.packets, 0, backAt) >= 25, 'media from the camera again');
    assertMonotonicPerTrack(h.packets);
    assert.ok(
      h.packets.filter((p) => p.inputPriority === 0).some((p) => p.codec === 'aac'),
      'camera audio',
    );
  } finally {
    await h?.stop();
    await camera?.stop();
    await backup.stop();
  }
});
