import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientHandshake, clientHello, HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { RtmpProtocolError } from '../../src/rtmp/protocol.js';
import { concatBytes, filled } from './chunk-bytes.js';

test('C0+C1: version 3, epoch, four zero bytes, the random filler', () => {
  const random = filled(HANDSHAKE_SIZE - 8);
  const hello = clientHello(0x01020304, random);
  assert.equal(hello.length, 1 + HANDSHAKE_SIZE);
  assert.deepEqual([...hello.subarray(0, 9)], [3, 1, 2, 3, 4, 0, 0, 0, 0]);
  assert.deepEqual(hello.subarray(9), random);
});

test('S0+S1+S2 in any chunking: C2 echoes S1 once, chunk bytes after S2 are handed on', () => {
  const s1 = filled(HANDSHAKE_SIZE, 5);
  const s2 = filled(HANDSHAKE_SIZE, 9);
  const after = Uint8Array.of(0x02, 0, 0, 0);
  const server = concatBytes(Uint8Array.of(3), s1, s2, after);
  for (const size of [server.length, 1, 1000, 1537, 3073]) {
    const hs = new ClientHandshake();
    const sent: Uint8Array[] = [];
    const rest: Uint8Array[] = [];
    let done = false;
    for (let at = 0; at < server.length; at += size) {
      const step = hs.receive(server.subarray(at, at + size));
      if (step.send) sent.push(step.send);
      if (step.rest) rest.push(step.rest);
      done ||= step.done;
    }
    assert.ok(done && hs.done, `size ${size}`);
    assert.deepEqual(sent, [s1]);
    assert.deepEqual(concatBytes(...rest), after);
  }
});

test('a server answering with another version is a protocol error', () => {
  assert.throws(() => new ClientHandshake().receive(Uint8Array.of(6)), RtmpProtocolError);
});
