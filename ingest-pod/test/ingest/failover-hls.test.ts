import assert from 'node:assert/strict';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type FfmpegProcess,
  ffmpegLoop,
  freeUdpPort,
  serveDirectory,
  startHttpServer,
} from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { assertPublishedInputs, countFrom } from './published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from './stream-harness.js';

// A live HLS primary whose origin starts answering 404: a permanent error, so the backup takes
// over at once (reason error), without waiting for the packet timeout.

const media = tsFileFixture({ seconds: 4, gop: 12 });

/** ffmpeg writing a live playlist of 1 s segments into `out`, looping the media file in real time. */
function liveHls(out: string): FfmpegProcess {
  return ffmpegLoop(media.file, [
    '-f',
    'hls',
    '-hls_time',
    '1',
    '-hls_list_size',
    '5',
    '-hls_flags',
    'delete_segments',
    '-hls_segment_type',
    'mpegts',
    '-hls_segment_filename',
    join(out, 'seg_%05d.ts'),
    join(out, 'live.m3u8'),
  ]);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

test('hls primary answering 404: immediate failover to the backup', async () => {
  const hlsDir = join(media.dir, 'hls');
  await mkdir(hlsDir);
  const encoder = liveHls(hlsDir);
  let gone = false;
  const serve = serveDirectory(hlsDir);
  const origin = await startHttpServer((req, res) =>
    gone ? void res.writeHead(404).end() : serve(req, res),
  );
  const portB = await freeUdpPort();
  const backup = udpSource(media.file, portB);
  let h: Harness | undefined;
  try {
    for (let i = 0; i < 100 && !(await exists(join(hlsDir, 'live.m3u8'))); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    h = await startHarness({ inputs: [{ url: origin.url('/live.m3u8') }, { url: udpUrl(portB) }] });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 0) >= 50, 'media from the HLS input');
    await h.until(() => harness.status()?.activeInput === 0, 'input 0 active in the status');

    gone = true;
    await h.until(() => harness.eventsOf('input.failover').length >= 2, 'failover to input 1');
    const failover = h.eventsOf('input.failover')[1]!;
    assert.equal(failover.payload.from, 0);
    assert.equal(failover.payload.to, 1);
    assert.equal(failover.payload.reason, 'error');
    assert.match(String(failover.payload.detail), /404/);
    const error = h.eventsOf('input.error').find((e) => e.payload.priority === 0);
    assert.equal(error?.payload.permanent, true);
    assert.equal(h.eventsOf('input.degraded')[0]?.payload.priority, 0);
    await h.until(() => countFrom(harness.packets, 1) >= 25, 'media from input 1');
    assert.match(h.status()?.inputs[0]?.errors[0]?.message ?? '', /404/);
    assertPublishedInputs(h.packets, [0, 1]);
  } finally {
    await h?.stop();
    await encoder.stop();
    await backup.stop();
    await origin.close();
  }
});
