import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LIVE_H264_AAC } from '../../support/media.js';
import { spawnFfmpeg, waitFor } from '../../support/peers.js';
import { attemptRtmpPublish } from '../../support/rtmp-publish-attempt.js';
import { startHarness } from './harness.js';

// Hundreds of publish attempts with a wrong key, as a key-guessing client would make them: all
// refused, memory flat, the real encoder on the same listener unaffected.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function attempts(port: number, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const result = await attemptRtmpPublish(port, 'ns', `news?key=guess-${i}`);
      assert.equal(result.end, 'closed', `attempt ${i} closed by the server`);
      assert.ok(
        !result.statuses.includes('NetStream.Publish.Start'),
        `attempt ${i} never told Publish.Start`,
      );
      assert.ok(result.statuses.includes('NetStream.Publish.Rejected'), `attempt ${i} told it was refused`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Heap and buffers (the parser's are outside the heap) after a full collection. */
function memoryAfterGc(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

test('1000 bad-key attempts: all refused, memory flat, the live publisher unaffected', async () => {
  const h = await startHarness({ 'ns/news': 'the-real-key', 'ns/live': 'k-live' });
  const encoder = spawnFfmpeg([...LIVE_H264_AAC, '-f', 'flv', h.url('ns/live?key=k-live')]);
  try {
    await waitFor(() => (h.gate.publisherOf('ns/live')?.relayedBytes ?? 0) > 0, 'the live encoder admitted');
    const live = h.gate.publisherOf('ns/live')!;

    await attempts(h.server.port, 100, 20); // warm-up: code paths compiled, pools grown
    h.logLines.length = 0; // the kept log lines are the test's memory, not the server's
    const memoryBefore = memoryAfterGc();
    const bytesBefore = live.relayedBytes;
    const started = Date.now();
    await attempts(h.server.port, 900, 30);
    const elapsed = Date.now() - started;
    h.logLines.length = 0;
    const growth = memoryAfterGc() - memoryBefore;

    const badKey = h.gate.refusals.filter((r) => r.reason === 'bad-key' && r.via === 'admit');
    assert.equal(badKey.length, 1000);
    assert.equal(h.gate.refusals.length, 1000, 'no other refusals');
    assert.equal(h.gate.publishers.length, 1, 'only the live encoder admitted');
    await waitFor(() => h.server.connectionCount === 1, 'every refused connection forgotten');
    assert.ok(growth < 5 * 1024 * 1024, `memory grew ${(growth / 1048576).toFixed(1)} MiB over 900 attempts`);
    assert.ok(live.relayedBytes > bytesBefore, 'the live publisher relayed throughout');
    await waitFor(() => live.relayedBytes > bytesBefore + 10_000, 'and still does');
    assert.equal(live.ended, false);
    assert.equal(h.server.publishers, 1);
    console.log(`900 refused attempts in ${elapsed} ms, memory ${(growth / 1048576).toFixed(2)} MiB`);
  } finally {
    await encoder.stop();
    await h.stop();
  }
});
