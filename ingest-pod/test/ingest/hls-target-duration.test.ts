import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HlsSource } from '../../src/hls/hls-source.js';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { startHttpServer } from '../support/peers.js';

// The HLS reader tells its target duration (and every change of it): the input manager hands it
// to the failover machine, whose HLS timeouts are multiples of it.

test('an HLS source reports the playlist target duration when it learns or changes it', async () => {
  let targetDuration = 2;
  let sequence = 0;
  const origin = await startHttpServer((req, res) => {
    if (req.url === '/live.m3u8') {
      sequence++;
      const segments = [0, 1, 2].map((i) => `#EXTINF:${targetDuration},\n/seg/${sequence + i}.ts`).join('\n');
      res.end(
        `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:${targetDuration}\n#EXT-X-MEDIA-SEQUENCE:${sequence}\n${segments}\n`,
      );
    } else res.end(Buffer.alloc(188 * 4, 0x47));
  });
  const events: ReaderEvent[] = [];
  const source = new HlsSource({
    url: origin.url('/live.m3u8'),
    playlistTimeoutMs: 2000,
    segmentTimeoutMs: 2000,
    minReloadMs: 10,
    onEvent: (e) => events.push(e),
  });
  try {
    await source.open(new AbortController().signal);
    assert.deepEqual(events, [{ type: 'target-duration', ms: 2000 }]);
    targetDuration = 4;
    for (let i = 0; i < 10 && events.length < 2; i++) await source.read();
    assert.deepEqual(
      events.filter((e) => e.type === 'target-duration'),
      [
        { type: 'target-duration', ms: 2000 },
        { type: 'target-duration', ms: 4000 },
      ],
    );
  } finally {
    await source.close();
    await origin.close();
  }
});
