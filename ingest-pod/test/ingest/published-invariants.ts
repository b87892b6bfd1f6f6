// What must hold for any stretch of published packets, whatever the switches in it.
import assert from 'node:assert/strict';
import type { SeenPacket } from './stream-harness.js';

const VIDEO = new Set(['h264', 'h265', 'mpeg2video', 'av1']);

/** Indices where the published input changes (the first packet of the new input). */
export function inputChanges(packets: readonly SeenPacket[]): number[] {
  const changes: number[] = [];
  for (let i = 1; i < packets.length; i++) {
    if (packets[i]!.inputPriority !== packets[i - 1]!.inputPriority) changes.push(i);
  }
  return changes;
}

/**
 * The published inputs are exactly `expected`, in order, each switch clean: the first packet of
 * the new input opens a session on a video keyframe, and the old input never shows up again
 * (that would be another change). Timestamps rise per track over the whole capture.
 */
export function assertPublishedInputs(packets: readonly SeenPacket[], expected: readonly number[]): void {
  assert.ok(packets.length > 0, 'no packets were published');
  const changes = inputChanges(packets);
  const sequence = [packets[0]!.inputPriority, ...changes.map((i) => packets[i]!.inputPriority)];
  assert.deepEqual(sequence, expected, 'published inputs, in order');
  for (const i of changes) {
    const first = packets[i]!;
    assert.ok(first.sessionStart, `packet ${i}, the first of input ${first.inputPriority}, opens a session`);
    assert.ok(
      first.key && VIDEO.has(first.codec),
      `packet ${i} (first of input ${first.inputPriority}) is a video keyframe`,
    );
  }
  assertMonotonicPerTrack(packets);
}

export function assertMonotonicPerTrack(packets: readonly SeenPacket[]): void {
  const last = new Map<number, number>();
  packets.forEach((p, i) => {
    const before = last.get(p.trackId);
    if (before !== undefined) {
      assert.ok(p.dts > before, `track ${p.trackId}: dts ${p.dts} at packet ${i} does not follow ${before}`);
    }
    assert.ok(p.pts >= p.dts, `packet ${i}: pts ${p.pts} before dts ${p.dts}`);
    last.set(p.trackId, p.dts);
  });
}

/** Packets of `priority` published after index `from`. */
export function countFrom(packets: readonly SeenPacket[], priority: number, from = 0): number {
  let n = 0;
  for (let i = from; i < packets.length; i++) if (packets[i]!.inputPriority === priority) n++;
  return n;
}
