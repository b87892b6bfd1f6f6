import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyInputEdit, type InputEdit, parseControlRequest } from '../../src/failover/control-protocol.js';

describe('parseControlRequest', () => {
  const accepted: { data: unknown; expect: unknown }[] = [
    { data: { op: 'switch', priority: 1 }, expect: { op: 'switch', priority: 1 } },
    { data: { op: 'remove', priority: 0 }, expect: { op: 'remove', priority: 0 } },
    { data: { op: 'add', input: { url: 'udp://x:1' } }, expect: { op: 'add', input: { url: 'udp://x:1' } } },
    {
      data: { op: 'add', priority: 0, input: { url: 'udp://x:1' } },
      expect: { op: 'add', priority: 0, input: { url: 'udp://x:1' } },
    },
    {
      data: { op: 'update', priority: 2, input: { url: 'udp://x:1' } },
      expect: { op: 'update', priority: 2, input: { url: 'udp://x:1' } },
    },
  ];
  for (const row of accepted) {
    test(`accepts ${JSON.stringify(row.data)}`, () =>
      assert.deepEqual(parseControlRequest(row.data), row.expect));
  }

  const refused: { data: unknown; message: RegExp }[] = [
    { data: null, message: /JSON object/ },
    { data: [1], message: /JSON object/ },
    { data: { op: 'reboot' }, message: /unknown op "reboot"/ },
    { data: { op: 'switch' }, message: /"switch" needs "priority"/ },
    { data: { op: 'switch', priority: -1 }, message: /non-negative integer/ },
    { data: { op: 'switch', priority: 1.5 }, message: /non-negative integer/ },
    { data: { op: 'switch', priority: '1' }, message: /non-negative integer/ },
    { data: { op: 'add' }, message: /"add" needs an "input" object/ },
    { data: { op: 'update', priority: 0, input: 'udp://x' }, message: /"update" needs an "input" object/ },
  ];
  for (const row of refused) {
    test(`refuses ${JSON.stringify(row.data)}`, () => {
      const reply = parseControlRequest(row.data);
      assert.ok('ok' in reply && !reply.ok);
      assert.equal(reply.error, 'invalid_request');
      assert.match(reply.message, row.message);
    });
  }
});

describe('applyInputEdit', () => {
  const rows: { name: string; inputs: string[]; edit: InputEdit<string>; expect: string[] | RegExp }[] = [
    { name: 'append', inputs: ['a', 'b'], edit: { op: 'add', input: 'c' }, expect: ['a', 'b', 'c'] },
    {
      name: 'insert first',
      inputs: ['a', 'b'],
      edit: { op: 'add', input: 'c', priority: 0 },
      expect: ['c', 'a', 'b'],
    },
    {
      name: 'add past the end',
      inputs: ['a'],
      edit: { op: 'add', input: 'c', priority: 2 },
      expect: /priority 2/,
    },
    { name: 'ninth input', inputs: [...'abcdefgh'], edit: { op: 'add', input: 'i' }, expect: /at most 8/ },
    { name: 'remove', inputs: ['a', 'b', 'c'], edit: { op: 'remove', priority: 1 }, expect: ['a', 'c'] },
    {
      name: 'remove unknown',
      inputs: ['a', 'b'],
      edit: { op: 'remove', priority: 2 },
      expect: /no input with priority 2/,
    },
    { name: 'remove the only one', inputs: ['a'], edit: { op: 'remove', priority: 0 }, expect: /only input/ },
    {
      name: 'update',
      inputs: ['a', 'b'],
      edit: { op: 'update', priority: 1, input: 'x' },
      expect: ['a', 'x'],
    },
    {
      name: 'update unknown',
      inputs: ['a'],
      edit: { op: 'update', priority: 3, input: 'x' },
      expect: /no input with priority 3; known: 0..0/,
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const result = applyInputEdit(row.inputs, row.edit);
      if (Array.isArray(row.expect)) {
        assert.deepEqual(result, { ok: true, inputs: row.expect });
      } else {
        assert.equal(result.ok, false);
        assert.match(result.ok ? '' : result.message, row.expect);
      }
    });
  }

  test('leaves the given list alone', () => {
    const inputs = ['a', 'b'];
    applyInputEdit(inputs, { op: 'remove', priority: 0 });
    assert.deepEqual(inputs, ['a', 'b']);
  });
});
