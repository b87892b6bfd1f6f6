import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DatagramQueue } from '../../src/udp/datagram-queue.js';

const d = (n: number) => Uint8Array.of(n);

test('take returns everything queued at once, and a waiting take gets the next datagram', async () => {
  const queue = new DatagramQueue(10);
  queue.push(d(1));
  queue.push(d(2));
  assert.deepEqual(await queue.take(), [d(1), d(2)]);
  const waiting = queue.take();
  queue.push(d(3));
  queue.push(d(4));
  assert.deepEqual(await waiting, [d(3)]);
  assert.deepEqual(await queue.take(), [d(4)]);
});

test('past capacity datagrams are dropped and counted', async () => {
  const queue = new DatagramQueue(2);
  for (let i = 0; i < 5; i++) queue.push(d(i));
  assert.equal(queue.overflowed, 3);
  assert.deepEqual(await queue.take(), [d(0), d(1)]);
});

test('after end: queued datagrams first, then null, or the failure', async () => {
  const clean = new DatagramQueue(4);
  clean.push(d(1));
  clean.end();
  clean.push(d(2));
  assert.deepEqual(await clean.take(), [d(1)]);
  assert.equal(await clean.take(), null);

  const failed = new DatagramQueue(4);
  const waiting = failed.take();
  failed.end(new Error('socket closed'));
  await assert.rejects(waiting, /socket closed/);
  await assert.rejects(failed.take(), /socket closed/);
});

test('past the byte budget datagrams are dropped and counted, whatever the count allows', async () => {
  const queue = new DatagramQueue(1000, 2500);
  const big = new Uint8Array(1000);
  for (let i = 0; i < 4; i++) queue.push(big);
  assert.equal(queue.overflowed, 2);
  assert.equal(queue.queuedBytes, 2000);
  queue.push(new Uint8Array(500)); // still fits exactly
  assert.equal(queue.queuedBytes, 2500);
  assert.equal((await queue.take())?.length, 3);
  assert.equal(queue.queuedBytes, 0, 'taking frees the budget');
  queue.push(big);
  assert.equal(queue.queuedBytes, 1000);
});
