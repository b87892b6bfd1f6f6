import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRtpPacket } from '../../../src/rtsp/rtp/rtp-packet.js';
import { bytes, rtpPacket } from './rtp-builder.js';

test('reads every header field and finds the payload past CSRCs, extension and padding', () => {
  const payload = bytes(1, 2, 3, 4, 5);
  const d = rtpPacket(payload, {
    sequence: 0xfffe,
    timestamp: 0xfedcba98,
    marker: true,
    payloadType: 97,
    ssrc: 0x80000001,
    csrc: 3,
    extensionWords: 2,
    padding: 3,
  });
  const p = parseRtpPacket(d);
  assert.ok(!('error' in p), JSON.stringify(p));
  assert.equal(p.marker, true);
  assert.equal(p.payloadType, 97);
  assert.equal(p.sequence, 0xfffe);
  assert.equal(p.timestamp, 0xfedcba98);
  assert.equal(p.ssrc, 0x80000001);
  assert.deepEqual([...p.payload], [...payload]);
  const plain = parseRtpPacket(rtpPacket(payload, { sequence: 1, timestamp: 2 }));
  assert.ok(!('error' in plain));
  assert.equal(plain.marker, false);
  assert.deepEqual([...plain.payload], [...payload]);
});

test('refuses what is not an RTP v2 packet, saying why', () => {
  const good = rtpPacket(bytes(1, 2, 3), { sequence: 1, timestamp: 1 });
  const v1 = good.slice();
  v1[0] = 0x40;
  const padded = rtpPacket(bytes(1), { sequence: 1, timestamp: 1, padding: 2 });
  padded[padded.length - 1] = 40;
  const zeroPad = rtpPacket(bytes(1), { sequence: 1, timestamp: 1, padding: 2 });
  zeroPad[zeroPad.length - 1] = 0;
  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, 11), /shorter than an RTP header/],
    [v1, /version 1/],
    [
      rtpPacket(bytes(), { sequence: 1, timestamp: 1, extensionWords: 1 }).subarray(0, 14),
      /extension truncated/,
    ],
    [padded, /longer than the packet/],
    [zeroPad, /padding count 0/],
  ];
  for (const [d, reason] of cases) {
    const p = parseRtpPacket(d);
    assert.ok('error' in p && reason.test(p.error), JSON.stringify(p));
  }
});
