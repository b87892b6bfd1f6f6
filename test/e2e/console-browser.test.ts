// The console in a real browser (Debian's chromium, driven by playwright-core) on the harness
// cluster: a Stream with two live UDP inputs runs in a real ingest pod, the buffer serves it, the
// page lists it Live, its player plays, and stopping the primary source shows the failover. A
// viewer of the live MPEG-TS records across the failover: monotonic, decodable, and HLS marks it.
// UPDATE_DOCS_SCREENSHOT=1 also writes the screenshot to docs/images/console.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type BufferService, startBuffer } from '../../ingest-pod/src/buffer/buffer-service.js';
import { testBufferOptions } from '../../ingest-pod/test/buffer/bus-support.js';
import { ffprobePackets } from '../../ingest-pod/test/support/media.js';
import { runFfmpeg, spawnFfmpeg } from '../../ingest-pod/test/support/peers.js';
import { REPO_ROOT } from '../../tools/cluster/index.js';
import {
  type LiveOperatorBed,
  startLiveOperatorBed,
  streamObject,
  waitForStream,
} from './operator-harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Waits until the page's player is past `seconds`; returns where it is then. */
async function playerTimeAbove(page: Page, seconds: number, timeoutMs: number): Promise<number> {
  const time = `document.getElementById('player').currentTime`;
  await page.waitForFunction(`${time} > ${seconds}`, undefined, { timeout: timeoutMs });
  return (await page.evaluate(time)) as number;
}

describe('console in chromium', () => {
  let bed: LiveOperatorBed;
  let buffer: BufferService;
  let browser: Browser;
  let page: Page;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-console-'));

  before(async () => {
    assert.ok(
      fs.existsSync(CHROMIUM),
      `no chromium at ${CHROMIUM}: run scripts/setup.sh (or set CHROMIUM_PATH)`,
    );
    bed = await startLiveOperatorBed('op-console', 2);
    buffer = await startBuffer(testBufferOptions(bed.nats.url, [bed.namespace]));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  after(async () => {
    await browser?.close();
    await buffer?.stop();
    await bed?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('lists the Stream Live, plays it, and shows a failover within seconds', async () => {
    const ns = bed.namespace;
    await bed.cluster.apply(
      streamObject(ns, 'cam', {
        inputs: [bed.udp(0), bed.udp(1)],
        failover: { packetTimeout: '1s', probeAfter: '60s' },
      }),
    );
    await waitForStream(bed.cluster, ns, 'cam', (s) => s.status?.phase === 'Live', 'Live', 90_000);

    await page.goto(`http://127.0.0.1:${buffer.port}/#${encodeURIComponent(`${ns}/cam`)}`);
    const row = `#streams tr[data-stream="${ns}/cam"]`;
    await page.waitForSelector(`${row}[data-phase="Live"]`, { timeout: 30_000 });

    // The player plays: its clock moves on by more than a second.
    const playedFrom = await playerTimeAbove(page, 0.5, 30_000);
    await playerTimeAbove(page, playedFrom + 1, 15_000);
    // A viewer of the live MPEG-TS records across the failover below.
    const recording = path.join(scratch, 'across-failover.ts');
    const recorder = spawnFfmpeg([
      '-i',
      `http://127.0.0.1:${buffer.port}/${ns}/cam.ts`,
      '-c',
      'copy',
      '-t',
      '10',
      recording,
    ]);

    // The primary source stops: the page shows input 1 active, the stream Degraded and the switch.
    const stoppedAt = Date.now();
    await bed.sources[0]!.stop();
    await page.waitForSelector(`${row}[data-phase="Degraded"]`, { timeout: 20_000 });
    await page.waitForSelector('#detail[data-active-input="1"] #switches li[data-to="1"]', {
      timeout: 10_000,
    });
    await page.waitForSelector('#events li[data-type="input.failover"]', { timeout: 10_000 });
    const shownAfterMs = Date.now() - stoppedAt;
    console.log(`console: failover shown ${shownAfterMs} ms after the primary source stopped`);
    assert.equal(await page.textContent(`${row} .input-cell`), '1');
    assert.equal(await page.textContent(`${row} .failovers-cell`), '1');

    // The recording runs on across the switch: every stream's DTS increase, and it decodes.
    assert.equal(await recorder.exited, 0, recorder.stderr());
    for (const [index, packets] of await ffprobePackets(recording)) {
      const dts = packets.map((p) => p.dts ?? 0);
      const back = dts.findIndex((d, i) => i > 0 && d <= dts[i - 1]!);
      assert.equal(back, -1, `stream ${index}: DTS go back at packet ${back}`);
    }
    await runFfmpeg(['-xerror', '-i', recording, '-f', 'null', '-']);
    // HLS marks the failover's new session.
    const playlist = await (await fetch(`http://127.0.0.1:${buffer.port}/${ns}/cam/index.m3u8`)).text();
    assert.match(playlist, /#EXT-X-DISCONTINUITY\n/);

    // The player keeps playing from the backup.
    await playerTimeAbove(page, (await playerTimeAbove(page, 0, 1000)) + 1, 20_000);
    const screenshot = path.join(scratch, 'console.png');
    await page.screenshot({ path: screenshot });
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1')
      fs.copyFileSync(screenshot, path.join(REPO_ROOT, 'docs/images/console.png'));
  });
});
