import assert from 'node:assert/strict';
import { test } from 'node:test';

test('runs on the pinned Node 24', () => {
  assert.match(process.version, /^v24\./);
});
