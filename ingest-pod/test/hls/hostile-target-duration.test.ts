// A playlist announcing an absurd EXT-X-TARGETDURATION must not turn the reader's timers into a
// storm: no reload loop, no TimeoutOverflowWarning flood from the stall watchdog.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HlsSource } from '../../src/hls/hls-source.js';
import { systemClock } from '../../src/input-loop/clock.js';
import { StallWatchdog } from '../../src/input-loop/stall-watchdog.js';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { type HttpPeer, startHttpServer, waitFor } from '../support/peers.js';

/** Playlist requests per path; every request slides that path's two-segment window by one. */
const served = new Map<string, number>();
let origin: HttpPeer;

before(async () => {
  origin = await startHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const playlist = /^\/td\/(\d+)\.m3u8$/.exec(url.pathname);
    if (playlist === null) return void res.writeHead(200).end(Buffer.alloc(188 * 4, 0x47));
    const count = (served.get(url.pathname) ?? 0) + 1;
    served.set(url.pathname, count);
    const lines = ['#EXTM3U', `#EXT-X-TARGETDURATION:${playlist[1]}`, `#EXT-X-MEDIA-SEQUENCE:${count}`];
    for (const n of [count, count + 1]) lines.push('#EXTINF:1.0,', `/seg/${n}.ts`);
    res.writeHead(200).end(`${lines.join('\n')}\n`);
  });
});
after(() => origin.close());

function source(targetDuration: number, events: ReaderEvent[] = []): HlsSource {
  return new HlsSource({
    url: origin.url(`/td/${targetDuration}.m3u8`),
    playlistTimeoutMs: 5000,
    segmentTimeoutMs: 5000,
    onEvent: (e) => events.push(e),
  });
}

for (const targetDuration of [1_000_000, 100_000_000]) {
  test(`TARGETDURATION ${targetDuration}: no reload loop, no timer warnings, 60 s assumed`, async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const path = `/td/${targetDuration}.m3u8`;
    const events: ReaderEvent[] = [];
    const hostile = source(targetDuration, events);
    const stalls: number[] = [];
    const watchdog = new StallWatchdog(
      systemClock,
      () => hostile.stallTimeoutMs,
      (silent) => stalls.push(silent),
    );
    // A well-behaved origin (1 s target duration) reloads every 500 ms: it is the yardstick.
    const calm = source(1);
    const calmPath = '/td/1.m3u8';
    try {
      await hostile.open(new AbortController().signal);
      watchdog.start();
      assert.equal((await hostile.read())?.length, 1);
      assert.equal((await hostile.read())?.length, 1);
      assert.equal(served.get(path), 1, 'the window was read from one playlist load');
      assert.equal(hostile.stallTimeoutMs, 180_000);
      assert.deepEqual(
        events.filter((e) => e.type === 'target-duration'),
        [{ type: 'target-duration', ms: 60_000 }],
      );
      const pending = hostile.read(); // waits for the next reload, due in 30 s
      const calmStart = served.get(calmPath) ?? 0;
      await calm.open(new AbortController().signal);
      await waitFor(async () => {
        await calm.read();
        return (served.get(calmPath) ?? 0) >= calmStart + 3;
      }, 'three reloads of the calm playlist');
      assert.equal(served.get(path), 1, 'no reload of the hostile playlist while the calm one reloaded');
      assert.deepEqual(
        warnings.map((w) => w.name),
        [],
      );
      assert.deepEqual(stalls, []);
      await hostile.close();
      assert.equal(await pending, null);
    } finally {
      watchdog.stop();
      process.off('warning', onWarning);
      await hostile.close();
      await calm.close();
    }
  });
}
