import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../src/index.js';

// Values as Go's time.ParseDuration gives them, in milliseconds.
const PARSES: [string, number][] = [
  ['0', 0],
  ['0s', 0],
  ['1s', 1000],
  ['500ms', 500],
  ['1.5s', 1500],
  ['1.1s', 1100],
  ['.5s', 500],
  ['5.s', 5000],
  ['1m30s', 90_000],
  ['1h', 3_600_000],
  ['2h45m', 9_900_000],
  ['1h0m0.5s', 3_600_500],
  ['250us', 0.25],
  ['250µs', 0.25],
  ['250μs', 0.25],
  ['1500000ns', 1.5],
  ['10s500ms', 10_500],
  ['2562047h', 2_562_047 * 3_600_000],
];

const REJECTS = [
  '',
  's',
  '1',
  '10',
  '-1s',
  '+1s',
  '1d',
  '1w',
  '1 s',
  ' 1s',
  '1s ',
  '1S',
  '1.s.5',
  '1..5s',
  'ms',
  '1sm',
  '2562048h',
];

for (const [text, ms] of PARSES) {
  test(`${JSON.stringify(text)} is ${ms} ms`, () => assert.equal(parseDuration(text), ms));
}
for (const text of REJECTS) {
  test(`${JSON.stringify(text)} does not parse`, () => assert.equal(parseDuration(text), undefined));
}
