import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReorderBuffer, sequenceDelta } from '../../../src/rtsp/rtp/reorder-buffer.js';

test('sequence numbers compare across the 16-bit wrap', () => {
  assert.equal(sequenceDelta(0, 0xffff), 1);
  assert.equal(sequenceDelta(0xffff, 0), -1);
  assert.equal(sequenceDelta(5, 3), 2);
});

test('releases in order, puts late packets back in place, across the wrap', () => {
  const b = new ReorderBuffer<number>();
  const order = [0xfffd, 0xffff, 0xfffe, 1, 0, 2];
  const out: number[] = [];
  for (const s of order) out.push(...b.push(s, s, 0));
  assert.deepEqual(out, [0xfffd, 0xfffe, 0xffff, 0, 1, 2]);
  assert.equal(b.stats.reordered, 2);
  assert.equal(b.stats.lost, 0);
});

test('duplicates and packets older than the window are dropped', () => {
  const b = new ReorderBuffer<number>();
  const out: number[] = [];
  for (const s of [10, 11, 11, 13, 13, 10]) out.push(...b.push(s, s, 0));
  assert.deepEqual(out, [10, 11]);
  assert.equal(b.stats.duplicates, 3);
});

test('a gap is given up after maxPackets later packets, counted as lost', () => {
  const b = new ReorderBuffer<number>({ maxPackets: 3, maxDelayMs: 1e9 });
  const out: number[] = [];
  for (const s of [1, 4, 5, 6]) out.push(...b.push(s, s, 0));
  assert.deepEqual(out, [1]);
  out.push(...b.push(7, 7, 0));
  assert.deepEqual(out, [1, 4, 5, 6, 7]);
  assert.equal(b.stats.lost, 2);
  out.push(...b.push(3, 3, 0)); // too late now
  assert.equal(b.stats.duplicates, 1);
  assert.deepEqual(out, [1, 4, 5, 6, 7]);
});

test('a gap is given up once the packet after it waited maxDelayMs', () => {
  const b = new ReorderBuffer<number>({ maxPackets: 64, maxDelayMs: 200 });
  assert.deepEqual(b.push(1, 1, 1000), [1]);
  assert.deepEqual(b.push(3, 3, 1010), []);
  assert.deepEqual(b.poll(1200), []);
  assert.deepEqual(b.poll(1211), [3]);
  assert.equal(b.stats.lost, 1);
});

test('a jump too large to be reordering starts over without counting loss', () => {
  const b = new ReorderBuffer<number>();
  const out: number[] = [];
  for (const s of [100, 101, 20000, 20001]) out.push(...b.push(s, s, 0));
  assert.deepEqual(out, [100, 101, 20000, 20001]);
  assert.equal(b.stats.resyncs, 1);
  assert.equal(b.stats.lost, 0);
});

test('drain releases what is held, counting the gaps', () => {
  const b = new ReorderBuffer<number>();
  b.push(1, 1, 0);
  b.push(3, 3, 0);
  b.push(6, 6, 0);
  assert.deepEqual(b.drain(), [3, 6]);
  assert.equal(b.stats.lost, 3);
});
