import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startInputLoop } from '../../src/input-loop/input-loop.js';
import type { InputLoopDeps, InputLoopEvent, PacketBatch } from '../../src/input-loop/input-loop-api.js';
import type { InputReader } from '../../src/reader/reader-api.js';
import { sharedSrtEngine } from '../../src/srt/srt-engine.js';
import { createSrtReader } from '../../src/srt/srt-reader.js';
import { makeTsFile } from '../support/media.js';
import { freeUdpPort, makeTempDir, type TempDir } from '../support/peers.js';
import { ffmpegSrtListener, waitFor } from '../support/srt-peers.js';

// SRT readers under the real input loop (startInputLoop): what is retried, what is reported, reconnects.

let dir: TempDir;
let file: string;
before(async () => {
  dir = await makeTempDir();
  file = await makeTsFile(dir.path, { seconds: 2 });
});
after(() => dir.remove());

function run(url: string, backoff: InputLoopDeps['backoff']) {
  const events: { at: number; event: InputLoopEvent }[] = [];
  const batches: PacketBatch[] = [];
  const readers: InputReader[] = [];
  const handle = startInputLoop(
    { url, priority: 0 },
    {
      createReader: (input, context) => {
        const reader = createSrtReader(input, context);
        readers.push(reader);
        return reader;
      },
      onPackets: (batch) => {
        batches.push(batch);
      },
      onEvent: (event) => events.push({ at: Date.now(), event }),
      backoff,
    },
  );
  const of = <T extends InputLoopEvent['type']>(type: T) =>
    events.filter((e) => e.event.type === type) as {
      at: number;
      event: Extract<InputLoopEvent, { type: T }>;
    }[];
  return { handle, events, batches, readers, of };
}

test('nothing listening (retriable timeout): retried with growing backoff, never reported permanent', async () => {
  const port = await freeUdpPort();
  const loop = run(`srt://127.0.0.1:${port}?conntimeo=200`, { initialMs: 100, maxMs: 400 });
  try {
    await waitFor(() => loop.of('input.reconnecting').length >= 4, 'four reconnect attempts');
    const reconnects = loop.of('input.reconnecting');
    assert.deepEqual(
      reconnects.slice(0, 4).map((r) => r.event.delayMs),
      [100, 200, 400, 400],
    );
    for (let i = 1; i < reconnects.length; i++) {
      const gap = (reconnects[i]?.at ?? 0) - (reconnects[i - 1]?.at ?? 0);
      const delay = reconnects[i - 1]?.event.delayMs ?? 0;
      assert.ok(
        gap >= delay + 150,
        `attempt ${i} came ${gap} ms after the previous (backoff ${delay} + connect)`,
      );
    }
    assert.match(reconnects[0]?.event.error ?? '', /SRT_REJ_TIMEOUT/);
    assert.ok(loop.of('input.error').every((e) => !e.event.permanent));
  } finally {
    await loop.handle.stop();
  }
  assert.deepEqual(await loop.handle.done, { reason: 'stopped' });
});

test('a permanent rejection (stream id not found) ends the input loop after one attempt', async () => {
  const listener = await sharedSrtEngine().listen(
    { family: 4, address: '127.0.0.1', port: 0 },
    {},
    { access: { streams: { 'live/known': {} } } },
  );
  try {
    const loop = run(`srt://127.0.0.1:${listener.port}?streamid=live/unknown`, {
      initialMs: 100,
      maxMs: 400,
    });
    const exit = await loop.handle.done;
    assert.equal(exit.reason, 'failed');
    assert.match(exit.reason === 'failed' ? exit.error : '', /not found.*SRT_REJX_NOTFOUND/);
    assert.equal(loop.of('input.reconnecting').length, 0);
    assert.deepEqual(
      loop.of('input.error').map((e) => e.event.permanent),
      [true],
    );
  } finally {
    listener.close();
  }
});

test('listener restart: the session ends, the input loop reconnects and packets flow again', async () => {
  const port = await freeUdpPort();
  let sender = ffmpegSrtListener(file, port, { loop: true });
  const loop = run(`srt://127.0.0.1:${port}?conntimeo=15000`, { initialMs: 200, maxMs: 1000 });
  try {
    await waitFor(() => loop.batches.length > 5, 'packets of the first session');
    const first = loop.batches[0];
    assert.equal(first?.sessionStart, true);
    assert.equal(first?.reason, 'open');
    await waitFor(() => (loop.readers[0]?.linkStats?.packetsReceived ?? 0) > 0, 'link stats');
    await sender.stop();
    await waitFor(
      () => loop.of('input.reconnecting').length > 0,
      'the input loop to notice the peer closing',
    );
    assert.match(loop.of('input.reconnecting')[0]?.event.error ?? '', /closed by the peer or broke/);
    sender = ffmpegSrtListener(file, port, { loop: true });
    await waitFor(() => loop.of('input.connected').length === 2, 'a reconnect', 30_000);
    assert.equal(loop.of('input.connected')[1]?.event.reconnect, true);
    const before = loop.batches.length;
    await waitFor(() => loop.batches.length > before + 5, 'packets of the second session');
    const second = loop.batches.find((b) => b.session !== first?.session);
    assert.equal(second?.sessionStart, true);
    assert.equal(second?.reason, 'reconnect');
    assert.ok(second?.packets.some((p) => p.codec === 'h264'));
    assert.equal(loop.of('input.ended').length, 0, 'a peer close is not the end of the input');
  } finally {
    await loop.handle.stop();
    await sender.stop();
  }
  assert.deepEqual(await loop.handle.done, { reason: 'stopped' });
});
