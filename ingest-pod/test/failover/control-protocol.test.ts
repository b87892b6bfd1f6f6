import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseControlRequest } from '../../src/failover/control-protocol.js';

describe('parseControlRequest', () => {
  const accepted: { data: unknown; expect: unknown }[] = [
    { data: { op: 'switch', priority: 1 }, expect: { op: 'switch', priority: 1 } },
    {
      data: { op: 'configure', generation: 3, inputs: [{ url: 'udp://x:1' }] },
      expect: { op: 'configure', generation: 3, inputs: [{ url: 'udp://x:1' }], failover: {} },
    },
    {
      data: { op: 'configure', generation: 0, inputs: [], failover: { packetTimeoutMs: 500 } },
      expect: { op: 'configure', generation: 0, inputs: [], failover: { packetTimeoutMs: 500 } },
    },
  ];
  for (const row of accepted) {
    test(`accepts ${JSON.stringify(row.data)}`, () =>
      assert.deepEqual(parseControlRequest(row.data), row.expect));
  }

  const refused: { data: unknown; message: RegExp }[] = [
    { data: null, message: /JSON object/ },
    { data: [1], message: /JSON object/ },
    { data: { op: 'reboot' }, message: /unknown op "reboot"; expected switch or configure/ },
    // The Stream spec is the only source of inputs: the old edit ops are gone.
    { data: { op: 'add', input: { url: 'udp://x:1' } }, message: /unknown op "add"/ },
    { data: { op: 'update', priority: 0, input: { url: 'udp://x:1' } }, message: /unknown op "update"/ },
    { data: { op: 'remove', priority: 0 }, message: /unknown op "remove"/ },
    { data: { op: 'switch' }, message: /"switch" needs "priority"/ },
    { data: { op: 'switch', priority: -1 }, message: /non-negative integer/ },
    { data: { op: 'switch', priority: 1.5 }, message: /non-negative integer/ },
    { data: { op: 'switch', priority: '1' }, message: /non-negative integer/ },
    { data: { op: 'configure', inputs: [] }, message: /"configure" needs "generation"/ },
    { data: { op: 'configure', generation: 1 }, message: /"configure" needs "inputs", an array/ },
    {
      data: { op: 'configure', generation: 1, inputs: [], failover: [] },
      message: /"failover" must be an object/,
    },
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
