import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HlsSource } from '../../src/hls/hls-source.js';
import { HttpTsSource } from '../../src/http-ts/http-ts-source.js';
import { createReader } from '../../src/sources/create-reader.js';
import { type HttpPeer, startHttpServer } from '../support/peers.js';

// An input's custom headers go to the origin of its URL only: not to a variant playlist or
// segments on another host, not after a redirect to another origin; all of them with
// sendHeadersToAllHosts. Three servers on different ports are three origins.

const HEADERS = { 'X-Token': 'custom-header-value', Authorization: 'Bearer auth-value' };

let origin: HttpPeer;
let cdn: HttpPeer;
let mirror: HttpPeer;

before(async () => {
  // The input's origin: the master playlist, and a segment that redirects to the mirror.
  origin = await startHttpServer((req, res) => {
    if (req.url === '/master.m3u8') {
      res.end(`#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\n${cdn.url('/media.m3u8')}\n`);
    } else if (req.url === '/seg1.ts') res.writeHead(302, { location: mirror.url('/seg1.ts') }).end();
    else if (req.url === '/live.ts') res.writeHead(302, { location: mirror.url('/live.ts') }).end();
    else res.writeHead(404).end();
  });
  // Another host: the variant playlist and its first segment.
  cdn = await startHttpServer((req, res) => {
    if (req.url === '/media.m3u8') {
      res.end(
        [
          '#EXTM3U',
          '#EXT-X-TARGETDURATION:1',
          '#EXT-X-MEDIA-SEQUENCE:0',
          '#EXTINF:1,',
          cdn.url('/seg0.ts'),
          '#EXTINF:1,',
          origin.url('/seg1.ts'),
          '#EXT-X-ENDLIST',
          '',
        ].join('\n'),
      );
    } else if (req.url === '/seg0.ts') res.end('segment 0');
    else res.writeHead(404).end();
  });
  // A third origin, reached only through a redirect.
  mirror = await startHttpServer((req, res) => {
    if (req.url === '/seg1.ts') res.end('segment 1');
    else if (req.url === '/live.ts') res.end('live bytes');
    else res.writeHead(404).end();
  });
});

after(async () => {
  await Promise.all([origin.close(), cdn.close(), mirror.close()]);
});

function reset(): void {
  for (const peer of [origin, cdn, mirror]) peer.requests.length = 0;
}

/** `path header-value` of every request a server saw, `-` where the header was absent. */
function seen(peer: HttpPeer, header = 'x-token'): string[] {
  return peer.requests.map((r) => `${r.path} ${r.headers[header] ?? '-'}`);
}

async function readAllSegments(sendHeadersToAllHosts?: boolean): Promise<string> {
  const source = new HlsSource({
    url: origin.url('/master.m3u8'),
    headers: HEADERS,
    playlistTimeoutMs: 5000,
    segmentTimeoutMs: 5000,
    ...(sendHeadersToAllHosts !== undefined && { sendHeadersToAllHosts }),
  });
  await source.open(new AbortController().signal);
  const chunks: Uint8Array[] = [];
  for (let read = await source.read(); read !== null; read = await source.read()) chunks.push(...read);
  await source.close();
  return Buffer.concat(chunks).toString();
}

describe('HLS: custom headers and origins', () => {
  test('by default only the input URL origin gets them; other hosts and redirect targets do not', async () => {
    reset();
    assert.equal(await readAllSegments(), 'segment 0segment 1');
    assert.deepEqual(seen(origin), ['/master.m3u8 custom-header-value', '/seg1.ts custom-header-value']);
    assert.deepEqual(seen(cdn), ['/media.m3u8 -', '/seg0.ts -']);
    assert.deepEqual(seen(mirror), ['/seg1.ts -']);
    assert.ok([...cdn.requests, ...mirror.requests].every((r) => r.headers.authorization === undefined));
    for (const peer of [origin, cdn, mirror]) {
      for (const request of peer.requests)
        assert.match(String(request.headers['user-agent']), /^Tributary\//);
    }
  });

  test('sendHeadersToAllHosts: every host and every redirect target gets them', async () => {
    reset();
    assert.equal(await readAllSegments(true), 'segment 0segment 1');
    assert.deepEqual(seen(origin), ['/master.m3u8 custom-header-value', '/seg1.ts custom-header-value']);
    assert.deepEqual(seen(cdn), ['/media.m3u8 custom-header-value', '/seg0.ts custom-header-value']);
    assert.deepEqual(seen(mirror), ['/seg1.ts custom-header-value']);
    assert.deepEqual(seen(mirror, 'authorization'), ['/seg1.ts Bearer auth-value']);
  });

  test('the reader built from an input carries the choice through', async () => {
    for (const [sendHeadersToAllHosts, expected] of [
      [undefined, '/media.m3u8 -'],
      [true, '/media.m3u8 custom-header-value'],
    ] as const) {
      reset();
      const reader = createReader(
        {
          url: origin.url('/master.m3u8'),
          priority: 0,
          headers: HEADERS,
          ...(sendHeadersToAllHosts !== undefined && { sendHeadersToAllHosts }),
        },
        {},
      );
      await reader.open(new AbortController().signal);
      await reader.close();
      assert.deepEqual(seen(cdn)[0], expected);
    }
  });
});

describe('HTTP-TS: custom headers and redirects', () => {
  async function openLive(sendHeadersToAllHosts?: boolean): Promise<void> {
    const source = new HttpTsSource({
      url: origin.url('/live.ts'),
      headers: HEADERS,
      headerTimeoutMs: 5000,
      idleTimeoutMs: 5000,
      ...(sendHeadersToAllHosts !== undefined && { sendHeadersToAllHosts }),
    });
    await source.open(new AbortController().signal);
    await source.close();
  }

  test('a redirect to another origin drops them unless sendHeadersToAllHosts', async () => {
    reset();
    await openLive();
    assert.deepEqual(seen(origin), ['/live.ts custom-header-value']);
    assert.deepEqual(seen(mirror), ['/live.ts -']);
    assert.deepEqual(seen(mirror, 'authorization'), ['/live.ts -']);
    reset();
    await openLive(true);
    assert.deepEqual(seen(mirror), ['/live.ts custom-header-value']);
  });
});
