import assert from 'node:assert/strict';
import { test } from 'node:test';
import { doublingDelayMs } from '../src/index.js';

test('doublingDelayMs: base, doubled per retry, capped; huge or negative counts stay in range', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((n) => doublingDelayMs(1000, 10_000, n)),
    [1000, 2000, 4000, 8000, 10_000, 10_000],
  );
  assert.equal(doublingDelayMs(500, 60_000, 1e9), 60_000);
  assert.equal(doublingDelayMs(500, 60_000, -3), 500);
});
