import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { startInputLoop } from '../../src/input-loop/input-loop.js';
import type { InputLoopEvent, PacketBatch } from '../../src/input-loop/input-loop-api.js';
import { createReader } from '../../src/sources/create-reader.js';
import { ffprobeCounts, makeTsFile, type ProbedStream } from '../support/media.js';
import { freeUdpPort, makeTempDir, spawnFfmpeg, startHttpServer, type TempDir } from '../support/peers.js';

// The input loop over real readers and peers, on the real clock.

let dir: TempDir;
let file: string;
let probed: ProbedStream[];

before(async () => {
  dir = await makeTempDir();
  file = await makeTsFile(dir.path, { seconds: 1 });
  probed = await ffprobeCounts(file);
});
after(() => dir.remove());

function collect() {
  const events: InputLoopEvent[] = [];
  const batches: PacketBatch[] = [];
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (!w.test()) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    events,
    batches,
    onEvent: (e: InputLoopEvent) => {
      events.push(e);
      check();
    },
    onPackets: (b: PacketBatch) => {
      batches.push(b);
      check();
    },
    /** Resolves when `test` holds (checked on every event and batch). */
    until: (test: () => boolean) =>
      new Promise<void>((resolve) => {
        if (test()) resolve();
        else waiters.push({ test, resolve });
      }),
  };
}

async function freeTcpPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('udp: sessions on open and after a stall, stalled reported once per silence', async () => {
  const port = await freeUdpPort();
  const c = collect();
  const loop = startInputLoop({ url: `udp://127.0.0.1:${port}`, priority: 0 }, { createReader, ...c });
  try {
    await c.until(() => c.events.some((e) => e.type === 'input.connected'));
    const send = async () => {
      const ffmpeg = spawnFfmpeg([
        '-i',
        file,
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'mpegts',
        `udp://127.0.0.1:${port}?pkt_size=1316`,
      ]);
      assert.equal(await ffmpeg.exited, 0, ffmpeg.stderr());
      await ffmpeg.stop();
    };
    await send();
    await c.until(() => c.events.some((e) => e.type === 'stalled'));
    await send();
    await c.until(() => c.batches.some((b) => b.reason === 'stall'));
  } finally {
    await loop.stop();
  }
  assert.deepEqual(await loop.done, { reason: 'stopped' });
  const starts = c.batches.filter((b) => b.sessionStart).map((b) => [b.session, b.reason]);
  assert.deepEqual(starts, [
    [1, 'open'],
    [2, 'stall'],
  ]);
  assert.deepEqual(
    c.events.filter((e) => e.type !== 'reader').map((e) => e.type),
    ['input.connected', 'stalled'],
  );
  assert.ok(c.events.some((e) => e.type === 'reader' && e.event.type === 'tracks'));
});

test('http-ts: refused until the server appears, then the whole body, then end of stream', async () => {
  const port = await freeTcpPort();
  const body = await readFile(file);
  const c = collect();
  const loop = startInputLoop(
    { url: `http://127.0.0.1:${port}/live.ts`, priority: 0 },
    { createReader, ...c, backoff: { initialMs: 100, maxMs: 400 } },
  );
  await c.until(() => c.events.filter((e) => e.type === 'input.reconnecting').length >= 2);
  const server = await startHttpServer((_req, res) => void res.writeHead(200).end(body), undefined, port);
  try {
    assert.deepEqual(await loop.done, { reason: 'ended' });
  } finally {
    await loop.stop();
    await server.close();
  }
  const firstError = c.events.find((e) => e.type === 'input.error');
  assert.ok(
    firstError?.type === 'input.error' && !firstError.permanent && /ECONNREFUSED/.test(firstError.error),
  );
  assert.deepEqual(
    c.events.filter(
      (e) => e.type !== 'input.reconnecting' && e.type !== 'input.error' && e.type !== 'reader',
    ),
    [{ type: 'input.connected', session: 1, reconnect: false }, { type: 'input.ended' }],
  );
  const packets = c.batches.flatMap((b) => b.packets);
  for (const s of probed) assert.equal(packets.filter((p) => p.trackId === s.pid).length, s.frames, s.codec);
  assert.deepEqual(
    c.batches.filter((b) => b.sessionStart).map((b) => [b.session, b.reason]),
    [[1, 'open']],
  );
});

test('http-ts 404 and an unknown host: permanent, reported once, not retried', async () => {
  const server = await startHttpServer((_req, res) => void res.writeHead(404).end());
  try {
    for (const url of [server.url('/gone.ts?token=abc'), 'http://no-such-host.invalid/x.ts']) {
      const c = collect();
      const loop = startInputLoop({ url, priority: 0 }, { createReader, ...c });
      const exit = await loop.done;
      assert.equal(exit.reason, 'failed');
      assert.deepEqual(c.events, [
        { type: 'input.error', error: exit.reason === 'failed' ? exit.error : '', permanent: true },
      ]);
      assert.match(
        exit.reason === 'failed' ? exit.error : '',
        /^HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/gone\.ts\?token=\*\*\*$|^DNS lookup failed/,
      );
    }
  } finally {
    await server.close();
  }
  assert.equal(server.requests.length, 1);
});
