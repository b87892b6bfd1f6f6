import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffInputs, type InputsDiff } from '../../src/failover/inputs-diff.js';
import type { FailoverInputSpec } from '../../src/failover/types.js';

const list = (hashes: string): FailoverInputSpec[] =>
  [...hashes].map((configHash) => ({ protocol: 'udp', configHash }));

describe('diffInputs', () => {
  const rows: { name: string; before: string; after: string; expect: InputsDiff }[] = [
    {
      name: 'nothing changed',
      before: 'AB',
      after: 'AB',
      expect: {
        next: [
          { kind: 'unchanged', from: 0 },
          { kind: 'unchanged', from: 1 },
        ],
        removed: [],
      },
    },
    {
      name: 'appended',
      before: 'AB',
      after: 'ABC',
      expect: {
        next: [{ kind: 'unchanged', from: 0 }, { kind: 'unchanged', from: 1 }, { kind: 'added' }],
        removed: [],
      },
    },
    {
      name: 'inserted in front: the others keep their identity at new priorities',
      before: 'AB',
      after: 'CAB',
      expect: {
        next: [{ kind: 'added' }, { kind: 'unchanged', from: 0 }, { kind: 'unchanged', from: 1 }],
        removed: [],
      },
    },
    {
      name: 'first removed: the second moves up unchanged',
      before: 'AB',
      after: 'B',
      expect: { next: [{ kind: 'unchanged', from: 1 }], removed: [0] },
    },
    {
      name: 'changed in place is an update',
      before: 'AB',
      after: 'AX',
      expect: {
        next: [
          { kind: 'unchanged', from: 0 },
          { kind: 'updated', from: 1 },
        ],
        removed: [],
      },
    },
    {
      name: 'swapped',
      before: 'AB',
      after: 'BA',
      expect: {
        next: [
          { kind: 'unchanged', from: 1 },
          { kind: 'unchanged', from: 0 },
        ],
        removed: [],
      },
    },
    {
      name: 'update and removal together',
      before: 'ABC',
      after: 'XC',
      expect: {
        next: [
          { kind: 'updated', from: 0 },
          { kind: 'unchanged', from: 2 },
        ],
        removed: [1],
      },
    },
    {
      name: 'duplicate hashes pair off by position first',
      before: 'AA',
      after: 'AAA',
      expect: {
        next: [{ kind: 'unchanged', from: 0 }, { kind: 'unchanged', from: 1 }, { kind: 'added' }],
        removed: [],
      },
    },
    {
      name: 'everything replaced',
      before: 'AB',
      after: 'XYZ',
      expect: {
        next: [{ kind: 'updated', from: 0 }, { kind: 'updated', from: 1 }, { kind: 'added' }],
        removed: [],
      },
    },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(diffInputs(list(row.before), list(row.after)), row.expect));
  }
});
