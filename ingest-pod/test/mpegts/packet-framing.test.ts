// The stride rule on crafted bytes: each packet size, too few bytes, end of stream, 0x47 bytes in
// payloads, parity and M2TS headers that could pass for sync bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leadOf, STRIDE_LOOKAHEAD, strideAt, type TsStride } from '../../src/mpegts/packet-framing.js';

const SIZES: TsStride[] = [188, 192, 204];

/** `count` units of `stride` bytes: sync byte at the lead, the rest 0x20 (never 0x47). */
function stream(stride: TsStride, count: number): Buffer {
  const out = Buffer.alloc(stride * count, 0x20);
  for (let i = 0; i < count; i++) out[i * stride + leadOf(stride)] = 0x47;
  return out;
}

/** The position of the first sync byte, where hunting would ask. */
const syncOf = (stride: TsStride) => leadOf(stride);

describe('strideAt', () => {
  for (const stride of SIZES) {
    it(`finds ${stride}-byte packets from the spacing of their sync bytes`, () => {
      const bytes = stream(stride, 10);
      for (const preferred of SIZES) {
        assert.equal(
          strideAt(bytes, syncOf(stride), bytes.length, preferred, false),
          stride,
          `prefer ${preferred}`,
        );
      }
    });

    it(`${stride}: asks for more bytes rather than guessing, until end of stream`, () => {
      const bytes = stream(stride, 10);
      const at = syncOf(stride);
      assert.equal(strideAt(bytes, at, at + 2 * stride, 188, false), -1);
      assert.equal(strideAt(bytes, at, at + 408, 188, false), -1, 'one byte short of seeing a 204 run');
      // At end of stream a single whole packet is still a packet.
      assert.equal(strideAt(bytes, at, at + stride - leadOf(stride), stride, true), stride);
      assert.equal(strideAt(bytes, at, at + 187, stride, true), 0, 'less than a packet');
    });
  }

  it('tells strides apart at end of stream from what is there: 204 parity is not a sync byte', () => {
    const bytes = stream(204, 2);
    assert.equal(strideAt(bytes, 0, bytes.length, 188, true), 204);
    assert.equal(strideAt(stream(188, 2), 0, 376, 204, true), 188);
  });

  it('a 0x47 that does not repeat at any packet size is not a sync byte', () => {
    const bytes = Buffer.alloc(2000, 0x20);
    bytes[100] = 0x47;
    bytes[288] = 0x47; // one packet on, but not two
    assert.equal(strideAt(bytes, 100, bytes.length, 188, false), 0);
    assert.equal(strideAt(bytes, 100, bytes.length, 188, true), 0);
  });

  it('0x47 in a 188 stream payload at 192-byte spacing: the longer run (188) wins', () => {
    const bytes = stream(188, 10);
    bytes[192] = 0x47;
    bytes[384] = 0x47; // so 192 also reaches three in a row
    assert.equal(strideAt(bytes, 0, bytes.length, 192, false), 188, 'even when 192 was in use before');
    // Deciding a tie needs the longer look-ahead.
    assert.equal(strideAt(bytes, 0, 500, 188, false), -1);
    assert.equal(strideAt(bytes, 0, STRIDE_LOOKAHEAD, 188, false), 188);
  });

  it('M2TS header bytes and payload that line up at 188: still 192', () => {
    const bytes = stream(192, 10);
    bytes[4 + 188] = 0x47; // first byte of the next unit's TP_extra_header
    bytes[4 + 376] = 0x47; // payload
    assert.equal(strideAt(bytes, 4, bytes.length, 188, false), 192);
  });

  it('204 parity bytes that line up at 188 and 192: still 204', () => {
    const bytes = stream(204, 10);
    for (const at of [188, 376, 192, 384]) bytes[at] = 0x47;
    assert.equal(strideAt(bytes, 0, bytes.length, 188, false), 204);
  });

  it('a real tie goes to the stride in use, else to the shorter one', () => {
    const bytes = Buffer.alloc(3000, 0x47);
    assert.equal(strideAt(bytes, 0, bytes.length, 204, false), 204);
    assert.equal(strideAt(bytes, 0, bytes.length, 188, false), 188);
  });

  it('an M2TS header starting with 0x47 is not taken for the sync byte four bytes later', () => {
    const bytes = stream(192, 10);
    for (let i = 0; i < 10; i++) bytes[i * 192] = 0x47; // copy permission 01, arrival time 0x07xxxxxx
    assert.equal(strideAt(bytes, 0, bytes.length, 192, false), 0);
    assert.equal(strideAt(bytes, 4, bytes.length, 192, false), 192);
  });
});
