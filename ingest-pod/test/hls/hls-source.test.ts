import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type HlsOptions, HlsSource } from '../../src/hls/hls-source.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { makeTsFile } from '../support/media.js';
import { concat, makeHlsRendition, makeTempDir, type TempDir } from '../support/peers.js';
import { type LiveOrigin, startLiveOrigin } from './live-origin.js';

let dir: TempDir;
let segmentFiles: string[];
let origin: LiveOrigin;

before(async () => {
  dir = await makeTempDir();
  const ts = await makeTsFile(dir.path, { seconds: 4 });
  const vodDir = join(dir.path, 'vod');
  await import('node:fs/promises').then((fs) => fs.mkdir(vodDir));
  await makeHlsRendition(ts, vodDir);
  segmentFiles = (await readdir(vodDir))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => join(vodDir, f));
  origin = await startLiveOrigin(segmentFiles, vodDir);
});
after(async () => {
  await origin.close();
  await dir.remove();
});

function hls(path: string, events: ReaderEvent[] = [], extra: Partial<HlsOptions> = {}): HlsSource {
  return new HlsSource({
    url: origin.peer.url(path),
    playlistTimeoutMs: 5000,
    segmentTimeoutMs: 5000,
    playlistRetryDelaysMs: [10, 20, 40, 80, 160],
    segmentRetryDelaysMs: [10, 20],
    // Target durations feed the failover timings (checked in test/ingest/hls-target-duration.test.ts).
    onEvent: (e) => {
      if (e.type !== 'target-duration') events.push(e);
    },
    ...extra,
  });
}

function resetOrigin(): void {
  Object.assign(origin.state, {
    mediaSequence: 100,
    windowSize: 6,
    discontinuitySequence: 0,
    ended: false,
    targetDuration: 1,
    extraTags: [],
  });
  origin.failures.clear();
  origin.overrides.clear();
  origin.peer.requests.length = 0;
}

async function readAll(source: HlsSource): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for (let b = await source.read(); b !== null; b = await source.read()) chunks.push(...b);
  return chunks;
}

test('VOD playlist from ffmpeg: every segment in order (relative URIs), then end of stream', async () => {
  resetOrigin();
  assert.ok(segmentFiles.length >= 3, `ffmpeg made ${segmentFiles.length} segments`);
  const source = hls('/vod/vod.m3u8');
  await source.open(new AbortController().signal);
  const got = concat(await readAll(source));
  await source.close();
  const expected = Buffer.concat(await Promise.all(segmentFiles.map((f) => readFile(f))));
  assert.ok(got.equals(expected), `got ${got.length} bytes, expected ${expected.length}`);
  assert.equal(got[0], 0x47);
});

test('master playlist: only the highest-bandwidth variant is fetched', async () => {
  resetOrigin();
  origin.state.ended = true;
  origin.state.windowSize = 2;
  const source = hls('/master.m3u8');
  await source.open(new AbortController().signal);
  await readAll(source);
  await source.close();
  const paths = origin.peer.requests.map((r) => r.path);
  assert.deepEqual(paths, ['/master.m3u8', '/high/live.m3u8', '/high/seg/100.ts', '/high/seg/101.ts']);
});

test('live: joins near the edge, follows the window, ends after ENDLIST', async () => {
  resetOrigin();
  const events: ReaderEvent[] = [];
  const source = hls('/live.m3u8', events);
  await source.open(new AbortController().signal);
  assert.equal(source.stallTimeoutMs, 6000);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) chunks.push(...((await source.read()) ?? []));
  assert.deepEqual(origin.segmentRequests(), ['/seg/103.ts', '/seg/104.ts', '/seg/105.ts']);
  const next = source.read();
  origin.state.mediaSequence = 102; // two new segments: 106, 107
  chunks.push(...((await next) ?? []));
  chunks.push(...((await source.read()) ?? []));
  origin.state.ended = true;
  chunks.push(...(await readAll(source)));
  await source.close();
  assert.deepEqual(
    origin.segmentRequests(),
    [103, 104, 105, 106, 107].map((n) => `/seg/${n}.ts`),
  );
  const expected = Buffer.concat([103, 104, 105, 106, 107].map((n) => origin.segmentBytes(n)));
  assert.ok(concat(chunks).equals(expected));
  assert.deepEqual(events, []);
});

test('a media-sequence reset restarts at the new edge with an event', async () => {
  resetOrigin();
  const events: ReaderEvent[] = [];
  const source = hls('/live.m3u8', events);
  await source.open(new AbortController().signal);
  for (let i = 0; i < 3; i++) await source.read();
  origin.state.mediaSequence = 0; // encoder restarted its numbering
  await source.read();
  await source.close();
  assert.deepEqual(origin.segmentRequests().slice(3), ['/seg/3.ts']);
  assert.deepEqual(events, [
    { type: 'playlist-reset', reason: 'EXT-X-MEDIA-SEQUENCE went back from 100 to 0' },
  ]);
});

test('falling behind the window is reported as missed segments', async () => {
  resetOrigin();
  const events: ReaderEvent[] = [];
  const source = hls('/live.m3u8', events);
  await source.open(new AbortController().signal);
  for (let i = 0; i < 3; i++) await source.read();
  origin.state.mediaSequence = 110;
  await source.read();
  await source.close();
  assert.deepEqual(events, [{ type: 'segments-missed', count: 4 }]);
  assert.equal(origin.segmentRequests()[3], '/seg/110.ts');
});

test('playlist errors: retried with events, then success', async () => {
  resetOrigin();
  origin.failures.set('/live.m3u8', [503, 500]);
  const events: ReaderEvent[] = [];
  const source = hls('/live.m3u8', events);
  await source.open(new AbortController().signal);
  await source.close();
  assert.deepEqual(
    events.map((e) => (e.type === 'playlist-retry' ? [e.attempt, e.reason.slice(0, 8)] : e.type)),
    [
      [1, 'HTTP 503'],
      [2, 'HTTP 500'],
    ],
  );
});

test('playlist 5xx after every retry is permanent and names the status; 404 is not retried', async () => {
  resetOrigin();
  origin.failures.set('/live.m3u8', [503, 503, 503, 503, 503, 503, 503]);
  const source = hls('/live.m3u8?token=s3cret');
  await assert.rejects(source.open(new AbortController().signal), (err: unknown) => {
    return (
      err instanceof ReaderError &&
      !err.retriable &&
      /^HTTP 503 .* from http:\/\/127\.0\.0\.1:\d+\/live\.m3u8\?token=\*\*\*$/.test(err.message)
    );
  });
  assert.equal(origin.peer.requests.length, 6);
  for (const status of [401, 403, 404, 410]) {
    resetOrigin();
    origin.failures.set('/live.m3u8', [status]);
    await assert.rejects(
      hls('/live.m3u8').open(new AbortController().signal),
      (err: unknown) =>
        err instanceof ReaderError && !err.retriable && err.message.startsWith(`HTTP ${status}`),
    );
    assert.equal(origin.peer.requests.length, 1, `HTTP ${status} was retried`);
  }
});

test('segments: 404 skipped at once, 500 retried twice then skipped, 403 ends the reader', async () => {
  resetOrigin();
  origin.failures.set('/seg/103.ts', [404]);
  origin.failures.set('/seg/104.ts', [500, 500, 500]);
  const events: ReaderEvent[] = [];
  const source = hls('/live.m3u8', events);
  await source.open(new AbortController().signal);
  const first = await source.read();
  assert.ok(first !== null && concat(first).equals(origin.segmentBytes(105)));
  assert.deepEqual(origin.segmentRequests(), [
    '/seg/103.ts',
    '/seg/104.ts',
    '/seg/104.ts',
    '/seg/104.ts',
    '/seg/105.ts',
  ]);
  assert.deepEqual(
    events.map((e) =>
      e.type === 'segment-skipped' ? [e.uri.replace(/^.*\/seg/, 'seg'), e.reason.slice(0, 8)] : e,
    ),
    [
      ['seg/103.ts', 'HTTP 404'],
      ['seg/104.ts', 'HTTP 500'],
    ],
  );
  origin.failures.set('/seg/106.ts', [403]);
  origin.state.mediaSequence = 101;
  await assert.rejects(
    source.read(),
    (err: unknown) => err instanceof ReaderError && /^HTTP 403/.test(err.message),
  );
  await source.close();
});

test('encrypted and fMP4 playlists are refused with a clear permanent error', async () => {
  for (const [tag, rule] of [
    [
      '#EXT-X-KEY:METHOD=AES-128,URI="key.bin"',
      /HLS encrypted segments \(EXT-X-KEY METHOD=AES-128\) is not supported/,
    ],
    ['#EXT-X-MAP:URI="init.mp4"', /HLS fMP4 segments \(EXT-X-MAP\) is not supported/],
  ] as const) {
    resetOrigin();
    origin.state.extraTags = [tag];
    await assert.rejects(
      hls('/live.m3u8').open(new AbortController().signal),
      (err: unknown) => err instanceof ReaderError && !err.retriable && rule.test(err.message),
    );
  }
});

test('malformed, huge and broken playlists: precise errors, no crash', async () => {
  resetOrigin();
  origin.overrides.set('/live.m3u8', '<html><body>Service Unavailable</body></html>');
  await assert.rejects(hls('/live.m3u8').open(new AbortController().signal), (err: unknown) => {
    return (
      err instanceof ReaderError &&
      !err.retriable &&
      /^malformed playlist .*: not an HLS playlist/.test(err.message)
    );
  });
  assert.equal(origin.peer.requests.length, 1, 'a body that is not a playlist is not retried');

  resetOrigin();
  origin.overrides.set('/live.m3u8', Buffer.alloc(5 * 1024 * 1024, '#'));
  await assert.rejects(
    hls('/live.m3u8').open(new AbortController().signal),
    (err: unknown) =>
      err instanceof ReaderError &&
      !err.retriable &&
      /^playlist http:.* over the 4194304-byte limit/.test(err.message),
  );

  resetOrigin();
  const events: ReaderEvent[] = [];
  origin.overrides.set('/live.m3u8', '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:x\n');
  await assert.rejects(hls('/live.m3u8', events).open(new AbortController().signal), (err: unknown) => {
    return (
      err instanceof ReaderError &&
      err.retriable &&
      /line 2: #EXT-X-MEDIA-SEQUENCE needs a whole number/.test(err.message)
    );
  });
  assert.equal(events.length, 5, 'a broken line is retried like a transient failure');
});

test('unreachable origin is retriable; unknown host is a permanent DNS error', async () => {
  const closed = new HlsSource({
    url: 'http://127.0.0.1:1/live.m3u8',
    playlistTimeoutMs: 2000,
    segmentTimeoutMs: 2000,
    playlistRetryDelaysMs: [5],
  });
  await assert.rejects(
    closed.open(new AbortController().signal),
    (err: unknown) => err instanceof ReaderError && err.retriable && /ECONNREFUSED/.test(err.message),
  );
  const dns = new HlsSource({
    url: 'http://no-such-host.invalid/x.m3u8',
    playlistTimeoutMs: 2000,
    segmentTimeoutMs: 2000,
  });
  await assert.rejects(
    dns.open(new AbortController().signal),
    (err: unknown) => err instanceof ReaderError && !err.retriable && /^DNS lookup failed/.test(err.message),
  );
});

test('close while waiting for the next playlist ends the pending read with null', async () => {
  resetOrigin();
  origin.state.windowSize = 1;
  const source = hls('/live.m3u8');
  await source.open(new AbortController().signal);
  await source.read();
  const pending = source.read();
  await source.close();
  assert.equal(await pending, null);
});
