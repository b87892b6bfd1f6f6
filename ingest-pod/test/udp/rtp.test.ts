import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractTsPayload } from '../../src/udp/rtp.js';

const ts = (packets: number) => {
  const out = new Uint8Array(188 * packets).fill(0xff);
  for (let i = 0; i < packets; i++) out[i * 188] = 0x47;
  return out;
};

function rtp(
  payload: Uint8Array,
  opts: { csrc?: number; extWords?: number; padding?: number; version?: number } = {},
) {
  const csrc = opts.csrc ?? 0;
  const ext = opts.extWords;
  const pad = opts.padding ?? 0;
  const header = 12 + 4 * csrc + (ext !== undefined ? 4 + 4 * ext : 0);
  const out = new Uint8Array(header + payload.length + pad).fill(0xaa);
  out[0] = ((opts.version ?? 2) << 6) | (pad > 0 ? 0x20 : 0) | (ext !== undefined ? 0x10 : 0) | csrc;
  out[1] = 33; // MP2T payload type
  if (ext !== undefined) {
    const at = 12 + 4 * csrc;
    out[at + 2] = ext >> 8;
    out[at + 3] = ext & 0xff;
  }
  out.set(payload, header);
  if (pad > 0) out[out.length - 1] = pad;
  return out;
}

function payloadOf(result: ReturnType<typeof extractTsPayload>): Uint8Array {
  assert.ok('payload' in result, `expected a payload, got drop: ${'drop' in result ? result.drop : ''}`);
  return result.payload;
}

test('plain TS datagrams pass unchanged', () => {
  const d = ts(7);
  assert.equal(payloadOf(extractTsPayload(d, true)), d);
  assert.equal(payloadOf(extractTsPayload(d, false)), d);
});

test('the 12-byte RTP header is stripped from a 1328-byte datagram', () => {
  const d = rtp(ts(7));
  assert.equal(d.length, 1328);
  assert.deepEqual(payloadOf(extractTsPayload(d, true)), ts(7));
});

test('CSRC list, header extension and padding are all skipped', () => {
  for (const opts of [
    { csrc: 3 },
    { extWords: 2 },
    { extWords: 0 },
    { padding: 4 },
    { csrc: 15, extWords: 5, padding: 1 },
  ]) {
    assert.deepEqual(payloadOf(extractTsPayload(rtp(ts(2), opts), true)), ts(2), JSON.stringify(opts));
  }
});

test('datagrams that are not RTP-wrapped TS are dropped with the reason', () => {
  const cases: [Uint8Array, RegExp][] = [
    [rtp(ts(1), { version: 1 }), /version 1/],
    [rtp(new Uint8Array(188).fill(0x11)), /not MPEG-TS/],
    [new Uint8Array(8).fill(0x80), /shorter than an RTP header/],
    [rtp(ts(1)).subarray(0, 12), /without payload/],
    [new Uint8Array(0), /empty/],
  ];
  for (const [datagram, reason] of cases) {
    const result = extractTsPayload(datagram, true);
    assert.ok('drop' in result && reason.test(result.drop), JSON.stringify(result));
  }
  const truncatedExtension = rtp(ts(1), { extWords: 1 }).subarray(0, 14);
  const r = extractTsPayload(truncatedExtension, true);
  assert.ok('drop' in r && /extension truncated/.test(r.drop));
  const huge = rtp(ts(1), { padding: 4 });
  huge[huge.length - 1] = 250; // padding longer than the payload
  assert.ok('drop' in extractTsPayload(huge, true));
});

test('with rtp=0 an RTP datagram is dropped instead of stripped', () => {
  const result = extractTsPayload(rtp(ts(1)), false);
  assert.ok('drop' in result && /RTP stripping is off/.test(result.drop));
});
