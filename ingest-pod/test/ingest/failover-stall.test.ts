import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { freeUdpPort, loopedFileInput, startHttpServer } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { assertPublishedInputs, countFrom } from './published-invariants.js';
import { type Harness, startHarness, udpSource, udpUrl } from './stream-harness.js';

// An HTTP-TS primary that keeps its connection open but stops sending media: no error ever
// comes, so the packet timeout moves the stream to the backup; the silent reader is closed then.

const media = tsFileFixture({ seconds: 4, gop: 12 });

test('http-ts primary that goes silent on an open connection: timeout failover', async () => {
  let encoder: ChildProcess | undefined;
  let response: ServerResponse | undefined;
  let closedAt: number | undefined;
  const origin = await startHttpServer((_req, res) => {
    response = res;
    res.writeHead(200, { 'content-type': 'video/mp2t' });
    res.on('close', () => {
      closedAt = Date.now();
    });
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', ...loopedFileInput(media.file)];
    encoder = spawn('ffmpeg', [...args, '-f', 'mpegts', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    encoder.stdout?.pipe(res, { end: false });
  });
  const stall = () => {
    if (encoder !== undefined && encoder.exitCode === null && encoder.signalCode === null) {
      encoder.stdout?.unpipe();
      encoder.kill('SIGKILL');
    }
  };
  const portB = await freeUdpPort();
  const backup = udpSource(media.file, portB);
  let h: Harness | undefined;
  try {
    h = await startHarness({ inputs: [{ url: origin.url('/live.ts') }, { url: udpUrl(portB) }] });
    const harness = h;
    await h.until(() => countFrom(harness.packets, 0) >= 50, 'media from the HTTP-TS input');

    stall();
    await h.until(() => harness.eventsOf('input.failover').length >= 2, 'failover to input 1');
    const failover = h.eventsOf('input.failover')[1]!;
    assert.equal(failover.payload.reason, 'timeout');
    assert.equal(failover.payload.to, 1);
    assert.match(String(failover.payload.detail), /^no packet for .* \(timeout 1 s\)$/);
    // The source never closed its side: the switch came from the timeout alone.
    const failoverAt = Date.parse(failover.at);
    assert.ok(closedAt === undefined || closedAt >= failoverAt - 50, 'connection still open at the switch');
    assert.ok(response !== undefined && !response.writableEnded, 'the origin never ended the response');
    await h.until(() => countFrom(harness.packets, 1) >= 25, 'media from input 1');
    await h.until(() => closedAt !== undefined, 'the silent reader closed after the switch');
    assertPublishedInputs(h.packets, [0, 1]);
  } finally {
    stall();
    await h?.stop();
    await backup.stop();
    await origin.close();
  }
});
