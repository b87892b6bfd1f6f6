// Datagrams of 192-byte M2TS units (and 204-byte packets) are TS too, bare or in RTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractTsPayload } from '../../src/udp/rtp.js';

/** `units` M2TS units: a TP_extra_header whose first byte is `first`, then a packet of 0xff. */
function m2ts(units: number, first = 0x00): Uint8Array {
  const out = new Uint8Array(192 * units).fill(0xff);
  for (let i = 0; i < units; i++) {
    out[i * 192] = first;
    out[i * 192 + 4] = 0x47;
  }
  return out;
}

function rtp(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length).fill(0xaa);
  out[0] = 0x80;
  out[1] = 33;
  out.set(payload, 12);
  return out;
}

test('7 × 192 M2TS units pass unchanged, whatever their header looks like', () => {
  // 0x80 as the first byte would also pass for RTP version 2.
  for (const first of [0x00, 0x3f, 0x80, 0xc0]) {
    const d = m2ts(7, first);
    for (const strip of [true, false]) {
      const result = extractTsPayload(d, strip);
      assert.ok('payload' in result && result.payload === d, `first byte ${first}, rtp ${strip}`);
    }
  }
});

test('7 × 204 packets pass unchanged: they start with a sync byte', () => {
  const d = new Uint8Array(204 * 7).fill(0x11);
  for (let i = 0; i < 7; i++) d[i * 204] = 0x47;
  const result = extractTsPayload(d, true);
  assert.ok('payload' in result && result.payload === d);
});

test('M2TS units in RTP: the header is stripped', () => {
  const result = extractTsPayload(rtp(m2ts(7)), true);
  assert.ok('payload' in result);
  assert.deepEqual(result.payload, m2ts(7));
});

test('not M2TS: a unit without its sync byte, or a datagram that is not whole units', () => {
  const broken = m2ts(7, 0x00);
  broken[4 + 3 * 192] = 0x46;
  assert.ok('drop' in extractTsPayload(broken, true));
  assert.ok('drop' in extractTsPayload(m2ts(7).subarray(0, 1000), false));
  const result = extractTsPayload(rtp(broken), true);
  assert.ok('drop' in result && /not MPEG-TS/.test(result.drop));
});
