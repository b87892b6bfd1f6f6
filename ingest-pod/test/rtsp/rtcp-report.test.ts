import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receiverReport } from '../../src/rtsp/rtcp-report.js';

test('an empty receiver report followed by SDES CNAME, each length in 32-bit words minus one', () => {
  const packet = Buffer.from(receiverReport(0x01020304, 'tributary'));
  assert.equal(packet.length % 4, 0);
  // RR: V=2, RC=0, PT=201, length 1 (header + SSRC).
  assert.deepEqual([...packet.subarray(0, 8)], [0x80, 201, 0, 1, 1, 2, 3, 4]);
  // SDES: V=2, SC=1, PT=202; its length covers the rest of the packet.
  assert.deepEqual([packet[8], packet[9]], [0x81, 202]);
  assert.equal((packet.readUInt16BE(10) + 1) * 4, packet.length - 8);
  assert.equal(packet.readUInt32BE(12), 0x01020304);
  assert.deepEqual([packet[16], packet[17]], [1, 9]);
  assert.equal(packet.subarray(18, 27).toString(), 'tributary');
  assert.ok(
    packet.subarray(27).every((b) => b === 0),
    'end of items and padding are zero',
  );
});
