// HlsServer over real HTTP: a stream is segmented only while someone asks for it (from the first
// request until nobody asked for the idle time), and a blocked request gives up in time.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BufferHub } from '../../src/buffer/buffer-hub.js';
import { HlsServer } from '../../src/buffer/hls/hls-server.js';
import { encodeEnvelopes } from '../../src/wire/index.js';
import { videoRun } from './packets.js';

const IDLE_MS = 60_000;

describe('HlsServer: lazy start, idle drop, blocked requests that give up', () => {
  const hub = new BufferHub({ windowMs: 60_000, maxBytes: 1 << 30, forgetAfterMs: 600_000 });
  const hls = new HlsServer(hub, { targetMs: 1000, partTargetMs: 500, windowMs: 60_000, idleMs: IDLE_MS });
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((request, response) => {
      const [path = '/', query = ''] = (request.url ?? '/').split('?');
      if (!hls.serve(request, response, path, new URLSearchParams(query))) {
        response.writeHead(418);
        response.end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [seq, packet] of videoRun(130, 25).entries()) {
      const wire = { ...packet, seq, sessionStart: seq === 0 };
      for (const envelope of encodeEnvelopes(wire, { maxPayload: 1 << 20 }))
        hub.receive('tributary.demo.cam.av', envelope, Date.now());
    }
  });

  after(async () => {
    hls.close();
    server.closeAllConnections();
    server.close();
  });

  it('costs nothing until the first request, which already gets segments', async () => {
    const ring = hub.get('demo', 'cam')!.ring;
    assert.equal(ring.listeners, 0);
    assert.equal(hls.active, 0);
    const response = await fetch(`${base}/demo/cam/index.m3u8`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^seg-1\.ts$/m);
    assert.equal(hls.active, 1);
    assert.equal(ring.listeners, 1);
  });

  it('leaves paths that are not HLS to the caller', async () => {
    assert.equal((await fetch(`${base}/demo/cam.ts`)).status, 418);
    assert.equal((await fetch(`${base}/demo/cam/other.m3u8`)).status, 418);
  });

  it('gives up on a part that does not come with 503 after three target durations', async () => {
    const playlist = await (await fetch(`${base}/demo/cam/index.m3u8`)).text();
    const [, msn, part] = /PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.(\d+)\.ts"/.exec(playlist)!;
    const started = Date.now();
    const blocked = await fetch(`${base}/demo/cam/index.m3u8?_HLS_msn=${msn}&_HLS_part=${part}`);
    assert.equal(blocked.status, 503);
    assert.match(((await blocked.json()) as { error: string }).error, /retry/);
    assert.ok(Date.now() - started >= 2900, 'held for three 1 s target durations');
  });

  it('drops a segmenter nobody asked for in the idle time, and stops following the ring', () => {
    const ring = hub.get('demo', 'cam')!.ring;
    hls.dropIdle(Date.now() + IDLE_MS / 2);
    assert.equal(hls.active, 1, 'still asked for recently');
    hls.dropIdle(Date.now() + IDLE_MS + 1000);
    assert.equal(hls.active, 0);
    assert.equal(ring.listeners, 0);
  });
});
