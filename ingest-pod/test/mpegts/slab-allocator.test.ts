// The output slab follows its fill time: slow streams get small slabs (they die young), fast ones 1 MiB.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlabAllocator } from '../../src/mpegts/slab-allocator.js';

/** Takes `n`-byte units until a new slab starts; returns that slab's size. */
function nextSlabSize(slabs: SlabAllocator, n: number, tick: () => void): number {
  const first = slabs.take(n);
  for (;;) {
    tick();
    const unit = slabs.take(n);
    if (unit.buffer !== first.buffer) return unit.buffer.byteLength;
  }
}

test('a slab filled within 100 ms is followed by one twice as large, up to 1 MiB', () => {
  let now = 0;
  const slabs = new SlabAllocator(() => now);
  const sizes: number[] = [];
  for (let i = 0; i < 7; i++) sizes.push(nextSlabSize(slabs, 1000, () => (now += 0.01)));
  assert.deepEqual(
    sizes,
    [32, 64, 128, 256, 512, 1024, 1024].map((k) => k * 1024),
  );
});

test('a slab that took longer than 100 ms to fill is followed by one half as large, down to 16 KiB', () => {
  let now = 0;
  const slabs = new SlabAllocator(() => now);
  for (let i = 0; i < 3; i++) nextSlabSize(slabs, 1000, () => (now += 0.01));
  const sizes: number[] = [];
  for (let i = 0; i < 6; i++) sizes.push(nextSlabSize(slabs, 1000, () => (now += 50)));
  assert.deepEqual(
    sizes,
    [64, 32, 16, 16, 16, 16].map((k) => k * 1024),
  );
});

test('a unit that does not fit and is larger than a quarter of the slab gets a buffer of its own', () => {
  const slabs = new SlabAllocator(() => 0);
  const first = slabs.take(1000);
  for (let used = 1000; used < 15_000; used += 1000) slabs.take(1000); // 15 000 of 16 384 bytes used
  const large = slabs.take(5000);
  assert.equal(large.buffer.byteLength, 5000);
  assert.equal(slabs.take(800).buffer, first.buffer, 'the slab stays in use after the large unit');
  assert.notEqual(slabs.take(800).buffer, first.buffer, 'a small unit that does not fit starts a new slab');
});
