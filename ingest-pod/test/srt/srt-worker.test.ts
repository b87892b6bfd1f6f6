import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InputReader } from '../../src/reader/reader-api.js';
import { sharedSrtEngine } from '../../src/srt/srt-engine.js';
import { createSrtReader } from '../../src/srt/srt-reader.js';
import { startWorker } from '../../src/worker/worker.js';
import type { PacketBatch, WorkerDeps, WorkerEvent } from '../../src/worker/worker-api.js';
import { makeTsFile } from '../support/media.js';
import { freeUdpPort, makeTempDir, type TempDir } from '../support/peers.js';
import { ffmpegSrtListener, waitFor } from '../support/srt-peers.js';

// SRT readers under the real worker (startWorker): what is retried, what is reported, reconnects.

let dir: TempDir;
let file: string;
before(async () => {
  dir = await makeTempDir();
  file = await makeTsFile(dir.path, { seconds: 2 });
});
after(() => dir.remove());

function run(url: string, backoff: WorkerDeps['backoff']) {
  const events: { at: number; event: WorkerEvent }[] = [];
  const batches: PacketBatch[] = [];
  const readers: InputReader[] = [];
  const handle = startWorker(
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
  const of = <T extends WorkerEvent['type']>(type: T) =>
    events.filter((e) => e.event.type === type) as { at: number; event: Extract<WorkerEvent, { type: T }> }[];
  return { handle, events, batches, readers, of };
}

test('nothing listening (retriable timeout): retried with growing backoff, never reported permanent', async () => {
  const port = await freeUdpPort();
  const worker = run(`srt://127.0.0.1:${port}?conntimeo=200`, { initialMs: 100, maxMs: 400 });
  try {
    await waitFor(() => worker.of('input.reconnecting').length >= 4, 'four reconnect attempts');
    const reconnects = worker.of('input.reconnecting');
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
    assert.ok(worker.of('input.error').every((e) => !e.event.permanent));
  } finally {
    await worker.handle.stop();
  }
  assert.deepEqual(await worker.handle.done, { reason: 'stopped' });
});

test('a permanent rejection (stream id not found) ends the worker after one attempt', async () => {
  const listener = await sharedSrtEngine().listen(
    { family: 4, address: '127.0.0.1', port: 0 },
    {},
    { access: { streams: { 'live/known': {} } } },
  );
  try {
    const worker = run(`srt://127.0.0.1:${listener.port}?streamid=live/unknown`, {
      initialMs: 100,
      maxMs: 400,
    });
    const exit = await worker.handle.done;
    assert.equal(exit.reason, 'failed');
    assert.match(exit.reason === 'failed' ? exit.error : '', /not found.*SRT_REJX_NOTFOUND/);
    assert.equal(worker.of('input.reconnecting').length, 0);
    assert.deepEqual(
      worker.of('input.error').map((e) => e.event.permanent),
      [true],
    );
  } finally {
    listener.close();
  }
});

test('listener restart: the session ends, the worker reconnects and packets flow again', async () => {
  const port = await freeUdpPort();
  let sender = ffmpegSrtListener(file, port, { loop: true });
  const worker = run(`srt://127.0.0.1:${port}?conntimeo=15000`, { initialMs: 200, maxMs: 1000 });
  try {
    await waitFor(() => worker.batches.length > 5, 'packets of the first session');
    const first = worker.batches[0];
    assert.equal(first?.sessionStart, true);
    assert.equal(first?.reason, 'open');
    await waitFor(() => (worker.readers[0]?.linkStats?.packetsReceived ?? 0) > 0, 'link stats');
    await sender.stop();
    await waitFor(() => worker.of('input.reconnecting').length > 0, 'the worker to notice the peer closing');
    assert.match(worker.of('input.reconnecting')[0]?.event.error ?? '', /closed by the peer or broke/);
    sender = ffmpegSrtListener(file, port, { loop: true });
    await waitFor(() => worker.of('input.connected').length === 2, 'a reconnect', 30_000);
    assert.equal(worker.of('input.connected')[1]?.event.reconnect, true);
    const before = worker.batches.length;
    await waitFor(() => worker.batches.length > before + 5, 'packets of the second session');
    const second = worker.batches.find((b) => b.session !== first?.session);
    assert.equal(second?.sessionStart, true);
    assert.equal(second?.reason, 'reconnect');
    assert.ok(second?.packets.some((p) => p.codec === 'h264'));
    assert.equal(worker.of('input.ended').length, 0, 'a peer close is not the end of the input');
  } finally {
    await worker.handle.stop();
    await sender.stop();
  }
  assert.deepEqual(await worker.handle.done, { reason: 'stopped' });
});
