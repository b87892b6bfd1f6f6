import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capParameterSets,
  clampTargetDurationS,
  clampTimerMs,
  MAX_PARAMETER_SET_BYTES,
  MAX_PARAMETER_SETS_PER_TYPE,
  MAX_TIMER_MS,
} from '../src/limits.js';

test('timer delays: 1 ms..2^31-1 ms, so Node never turns a huge delay into 1 ms', () => {
  assert.equal(clampTimerMs(0), 1);
  assert.equal(clampTimerMs(-5), 1);
  assert.equal(clampTimerMs(0.2), 1);
  assert.equal(clampTimerMs(1500), 1500);
  assert.equal(clampTimerMs(3e9), MAX_TIMER_MS);
  assert.equal(clampTimerMs(Number.POSITIVE_INFINITY), MAX_TIMER_MS);
  assert.equal(clampTimerMs(Number.NaN), MAX_TIMER_MS);
});

test('target durations: missing stays 0, the rest lands in 1..60 s', () => {
  assert.equal(clampTargetDurationS(0), 0);
  assert.equal(clampTargetDurationS(-3), 0);
  assert.equal(clampTargetDurationS(Number.NaN), 0);
  assert.equal(clampTargetDurationS(0.5), 1);
  assert.equal(clampTargetDurationS(6), 6);
  assert.equal(clampTargetDurationS(1_000_000), 60);
});

test('parameter sets: each at most 4 KiB, at most 32 of a kind, the rest refused and counted', () => {
  const small = new Uint8Array(40);
  const huge = new Uint8Array(MAX_PARAMETER_SET_BYTES + 1);
  assert.deepEqual(capParameterSets([small, huge, small]), { kept: [small, small], refused: 1 });
  const many = Array.from({ length: 40 }, () => small);
  const capped = capParameterSets(many);
  assert.equal(capped.kept.length, MAX_PARAMETER_SETS_PER_TYPE);
  assert.equal(capped.refused, 40 - MAX_PARAMETER_SETS_PER_TYPE);
  assert.deepEqual(capParameterSets([]), { kept: [], refused: 0 });
  assert.equal(capParameterSets([new Uint8Array(MAX_PARAMETER_SET_BYTES)]).refused, 0);
});
