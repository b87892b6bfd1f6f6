import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { controlAudience, parseControlRequest } from '../../src/failover/control-protocol.js';

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
    { data: { op: 'release', pod: 'cam-ingest-b' }, expect: { op: 'release', pod: 'cam-ingest-b' } },
  ];
  for (const row of accepted) {
    test(`accepts ${JSON.stringify(row.data)}`, () =>
      assert.deepEqual(parseControlRequest(row.data), row.expect));
  }

  const refused: { data: unknown; message: RegExp }[] = [
    { data: null, message: /JSON object/ },
    { data: [1], message: /JSON object/ },
    { data: { op: 'reboot' }, message: /unknown op "reboot"; expected switch, configure or release/ },
    { data: { op: 'release' }, message: /"release" needs "pod"/ },
    { data: { op: 'release', pod: '' }, message: /"release" needs "pod"/ },
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

describe('controlAudience: two pods share the control subject while one replaces the other', () => {
  const publishing = { standby: false };
  const standby = { name: 'cam-ingest-b', standby: true };
  const released = { name: 'cam-ingest-b', standby: false };
  const rows: [string, unknown, { name?: string; standby: boolean }, boolean][] = [
    ['the publishing pod answers configure', { op: 'configure' }, publishing, true],
    ['the standby pod leaves configure to the publishing pod', { op: 'configure' }, standby, false],
    ['the standby pod leaves a switch to the publishing pod', { op: 'switch', priority: 0 }, standby, false],
    ['the standby pod answers its release', { op: 'release', pod: 'cam-ingest-b' }, standby, true],
    ['nobody answers a release for another pod', { op: 'release', pod: 'cam-ingest' }, standby, false],
    [
      'the publishing pod ignores a release for the standby',
      { op: 'release', pod: 'cam-ingest-b' },
      publishing,
      false,
    ],
    ['a released pod answers a repeated release', { op: 'release', pod: 'cam-ingest-b' }, released, true],
    ['a released pod answers configure', { op: 'configure' }, released, true],
    ['the standby pod ignores garbage', 'not json', standby, false],
    ['the publishing pod answers garbage (with an error)', 'not json', publishing, true],
  ];
  for (const [name, request, self, answers] of rows)
    test(name, () => assert.equal(controlAudience(request, self), answers));
});
