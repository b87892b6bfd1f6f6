// Wire format v1 by example: the exact bytes docs/wire-format.md shows, the codec table, and one
// crafted buffer per decoder error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CODECS } from '../src/avpacket.js';
import {
  CODEC_IDS,
  type DecodedEnvelope,
  decodeEnvelope,
  encodeEnvelopes,
  HEADER_SIZE,
  isWireError,
  type WireErrorKind,
  type WirePacket,
} from '../src/wire/index.js';

/** The worked example of docs/wire-format.md. */
const EXAMPLE: WirePacket = {
  codec: 'h264',
  trackId: 256,
  pts: 900_000,
  dts: 897_000,
  key: true,
  data: Uint8Array.of(0x00, 0x00, 0x00, 0x01, 0x65, 0x88),
  inputPriority: 0,
  sessionId: 42,
  sessionStart: true,
  seq: 0,
  wallTimeMs: 1_700_000_000_000,
};

const EXAMPLE_HEX = [
  '5442 013c 01 03 00 00', // magic "TB", version 1, header 60, h264, key+session start, priority 0
  '0000002a 00000100', // session 42, track 256
  '0000000000000000', // seq 0
  '00000000000dbba0', // pts 900000
  '00000000000dafe8', // dts 897000
  '0000018bcfe56800', // wall time 1700000000000
  '00000006 00000000 00000006', // access unit 6 bytes, offset 0, payload 6 bytes
  '000000016588', // payload
].join('');

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
}

function encodeOne(packet: WirePacket): Uint8Array {
  const [message, ...rest] = encodeEnvelopes(packet, { maxPayload: 1 << 20 });
  assert.equal(rest.length, 0);
  return Uint8Array.from(message!);
}

function decodeOk(buf: Uint8Array): DecodedEnvelope {
  const result = decodeEnvelope(buf);
  if (isWireError(result)) assert.fail(`${result.kind}: ${result.message}`);
  return result;
}

function assertError(buf: Uint8Array, kind: WireErrorKind): void {
  const result = decodeEnvelope(buf);
  assert.ok(isWireError(result), 'expected an error');
  assert.equal(result.kind, kind, result.message);
}

describe('wire format v1 encoding', () => {
  it('encodes the documented example byte for byte', () => {
    assert.equal(Buffer.from(encodeOne(EXAMPLE)).toString('hex'), EXAMPLE_HEX.replace(/\s/g, ''));
  });

  it('decodes the documented example', () => {
    const envelope = decodeOk(hexBytes(EXAMPLE_HEX));
    const { payload, fragment, accessUnitLength, fragmentOffset, ...fields } = envelope;
    const { data, ...expected } = EXAMPLE;
    assert.deepEqual(fields, expected);
    assert.deepEqual(payload, data);
    assert.deepEqual([fragment, accessUnitLength, fragmentOffset], [false, 6, 0]);
  });

  it('encodes the documented fragmented example byte for byte', () => {
    const next: WirePacket = {
      ...EXAMPLE,
      pts: 903_000,
      dts: 900_000,
      key: false,
      sessionStart: false,
      seq: 1,
      inputPriority: null,
      wallTimeMs: 1_700_000_000_033,
      data: Uint8Array.of(0x00, 0x00, 0x00, 0x01, 0x41, 0x9a),
    };
    const common =
      '5442013c0104ff00 0000002a00000100 0000000000000001 00000000000dc758 00000000000dbba0 0000018bcfe56821 00000006';
    const expected = [`${common} 00000000 00000004 00000001`, `${common} 00000004 00000002 419a`];
    const messages = encodeEnvelopes(next, { maxPayload: 64 });
    assert.deepEqual(
      messages.map((m) => Buffer.from(m).toString('hex')),
      expected.map((hex) => hex.replace(/\s/g, '')),
    );
  });

  it('keeps the codec table stable: every codec has its fixed id', () => {
    assert.deepEqual(CODEC_IDS, {
      h264: 1,
      h265: 2,
      aac: 3,
      mp2: 4,
      mp3: 5,
      ac3: 6,
      eac3: 7,
      mpeg2video: 8,
      av1: 9,
      scte35: 10,
      opus: 11,
    });
    assert.deepEqual(Object.keys(CODEC_IDS).sort(), [...CODECS].sort());
  });

  it('writes 64-bit fields as two’s complement at the edges of the safe range', () => {
    const extremes = { ...EXAMPLE, pts: -Number.MAX_SAFE_INTEGER, dts: -1, seq: Number.MAX_SAFE_INTEGER };
    const message = encodeOne(extremes);
    const hex = Buffer.from(message).toString('hex');
    assert.equal(hex.slice(32, 48), '001fffffffffffff'); // seq
    assert.equal(hex.slice(48, 64), 'ffe0000000000001'); // pts
    assert.equal(hex.slice(64, 80), 'ffffffffffffffff'); // dts
    const envelope = decodeOk(message);
    assert.deepEqual([envelope.pts, envelope.dts, envelope.seq], [extremes.pts, -1, extremes.seq]);
  });

  it('fragments with the header repeated, offsets advancing and the fragment flag set', () => {
    const packet = { ...EXAMPLE, data: Uint8Array.from({ length: 10 }, (_, i) => i) };
    const messages = encodeEnvelopes(packet, { maxPayload: HEADER_SIZE + 4 });
    const envelopes = messages.map(decodeOk);
    assert.deepEqual(
      envelopes.map((e) => [e.fragment, e.accessUnitLength, e.fragmentOffset, [...e.payload]]),
      [
        [true, 10, 0, [0, 1, 2, 3]],
        [true, 10, 4, [4, 5, 6, 7]],
        [true, 10, 8, [8, 9]],
      ],
    );
    for (const message of messages) assert.equal(message[5], 0x07);
  });

  it('encodes an empty access unit as one envelope', () => {
    const envelope = decodeOk(encodeOne({ ...EXAMPLE, data: new Uint8Array(0) }));
    assert.deepEqual([envelope.fragment, envelope.accessUnitLength, envelope.payload.length], [false, 0, 0]);
  });

  it('writes input priority "none" as 255', () => {
    const message = encodeOne({ ...EXAMPLE, inputPriority: null });
    assert.equal(message[6], 0xff);
    assert.equal(decodeOk(message).inputPriority, null);
  });

  it('refuses packets a v1 envelope cannot carry', () => {
    const bad: Partial<WirePacket>[] = [
      { trackId: -1 },
      { trackId: 2 ** 32 },
      { sessionId: 1.5 },
      { inputPriority: 8 },
      { seq: -1 },
      { pts: 2 ** 53 },
      { dts: Number.NaN },
      { wallTimeMs: -5 },
      { codec: 'vp9' as WirePacket['codec'] },
    ];
    for (const change of bad) {
      assert.throws(() => encodeEnvelopes({ ...EXAMPLE, ...change }, { maxPayload: 1000 }), RangeError);
    }
    for (const maxPayload of [HEADER_SIZE, 10, 100.5, Number.NaN]) {
      assert.throws(() => encodeEnvelopes(EXAMPLE, { maxPayload }), RangeError);
    }
  });
});

describe('wire format v1 decoding errors', () => {
  const valid = () => hexBytes(EXAMPLE_HEX);
  const patched = (changes: Record<number, number>) => {
    const buf = valid();
    for (const [offset, value] of Object.entries(changes)) buf[Number(offset)] = value;
    return buf;
  };

  it('names a foreign message by its first bytes, however short', () => {
    assertError(Uint8Array.of(0x7b), 'bad-magic');
    assertError(Uint8Array.of(0x54, 0x43), 'bad-magic');
    assertError(patched({ 0: 0x00 }), 'bad-magic');
  });

  it('rejects other versions before reading anything else', () => {
    assertError(Uint8Array.of(0x54, 0x42, 2), 'unsupported-version');
    assertError(patched({ 2: 0 }), 'unsupported-version');
  });

  it('reports short buffers as truncated', () => {
    assertError(new Uint8Array(0), 'truncated');
    assertError(Uint8Array.of(0x54, 0x42, 1, 60, 1), 'truncated');
    assertError(valid().subarray(0, HEADER_SIZE + 5), 'truncated');
  });

  it('reports bytes beyond the declared payload', () => {
    const buf = new Uint8Array(valid().length + 1);
    buf.set(valid());
    assertError(buf, 'length-mismatch');
  });

  it('rejects unknown codec ids, including 0', () => {
    assertError(patched({ 4: 0 }), 'bad-codec');
    assertError(patched({ 4: 12 }), 'bad-codec');
  });

  it('rejects out-of-range fields', () => {
    assertError(patched({ 3: 59 }), 'bad-field'); // header length below v1's
    assertError(patched({ 6: 8 }), 'bad-field'); // input priority
    assertError(patched({ 16: 0x80 }), 'bad-field'); // negative seq
    assertError(patched({ 24: 0x00, 25: 0x20 }), 'bad-field'); // pts = 2^53
    assertError(patched({ 40: 0xff }), 'bad-field'); // negative wall time
  });

  it('rejects inconsistent fragment geometry', () => {
    assertError(patched({ 5: 0x07 }), 'bad-fragment'); // fragment flag on a whole unit
    assertError(patched({ 51: 7 }), 'bad-fragment'); // unfragmented but unit longer than payload
    assertError(patched({ 5: 0x07, 51: 10, 55: 5 }), 'bad-fragment'); // 5 + 6 runs past 10
    assertError(patched({ 5: 0x07, 51: 10, 59: 0 }).subarray(0, HEADER_SIZE), 'bad-fragment'); // empty fragment
  });

  it('refuses units declared above the size limit', () => {
    const buf = patched({ 48: 0x10 }); // unit of 256 MiB + 6
    assertError(buf, 'oversized');
    const small = decodeEnvelope(valid(), { maxAccessUnitBytes: 5 });
    assert.ok(isWireError(small) && small.kind === 'oversized');
  });

  it('reads a longer header from a later revision and ignores reserved bits', () => {
    const original = valid();
    const extended = new Uint8Array(original.length + 4);
    extended.set(original.subarray(0, HEADER_SIZE));
    extended.set(original.subarray(HEADER_SIZE), HEADER_SIZE + 4);
    extended[3] = HEADER_SIZE + 4;
    extended[5] = 0xf3; // reserved flag bits set
    extended[7] = 0x99; // reserved byte
    const envelope = decodeOk(extended);
    assert.deepEqual(envelope.payload, EXAMPLE.data);
    assert.deepEqual([envelope.key, envelope.sessionStart, envelope.fragment], [true, true, false]);
  });
});
