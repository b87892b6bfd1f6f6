import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Amf0Error, type Amf0Value, decodeAmf0, encodeAmf0 } from '../../src/amf0/amf0.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replaceAll(' ', ''), 'hex'));

test('a connect command encodes as RTMP peers expect', () => {
  const bytes = encodeAmf0(['connect', 1, { app: 'live' }]);
  assert.deepEqual(
    Buffer.from(bytes).toString('hex'),
    '020007636f6e6e656374' + '003ff0000000000000' + '03' + '0003617070' + '0200046c697665' + '000009',
  );
});

test('decodes an ECMA array (onMetaData) like an object', () => {
  const bytes = hex('02000a6f6e4d65746144617461 08 00000001 0005776964746800 4094000000000000 000009');
  const [name, meta] = decodeAmf0(bytes);
  assert.equal(name, 'onMetaData');
  assert.deepEqual({ ...(meta as object) }, { width: 1280 });
});

test('round-trips values', () => {
  const value: fc.Arbitrary<Amf0Value> = fc.letrec((tie) => ({
    leaf: fc.oneof(fc.double({ noNaN: true }), fc.boolean(), fc.string(), fc.constant(null)),
    node: fc.oneof(
      { depthSize: 'small' },
      tie('leaf'),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(fc.string({ minLength: 1 }), tie('node'), { maxKeys: 4 }),
    ),
  })).node as fc.Arbitrary<Amf0Value>;
  fc.assert(
    fc.property(fc.array(value, { maxLength: 4 }), (values) => {
      const decoded = decodeAmf0(encodeAmf0(values)).map((v) => JSON.parse(JSON.stringify(v)));
      assert.deepEqual(decoded, JSON.parse(JSON.stringify(values)));
    }),
    { numRuns: 2000 },
  );
});

test('malformed input throws Amf0Error and nothing else', () => {
  assert.throws(() => decodeAmf0(hex('02 0010 6162')), Amf0Error);
  assert.throws(() => decodeAmf0(hex('0a ffffffff')), Amf0Error);
  assert.throws(() => decodeAmf0(hex('ee')), /unknown AMF0 marker 0xee/);
  const nested = Buffer.concat(Array.from({ length: 40 }, () => hex('0a 00000001')));
  assert.throws(() => decodeAmf0(nested), /nested too deeply/);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeAmf0(bytes);
      } catch (err) {
        assert.ok(err instanceof Amf0Error, String(err));
      }
    }),
    { numRuns: 20_000 },
  );
});
