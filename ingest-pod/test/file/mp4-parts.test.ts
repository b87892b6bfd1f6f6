import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sniffContainer } from '../../src/file/container-kind.js';
import { readBoxHeader } from '../../src/file/mp4-boxes.js';
import { findNestedBox, readEsds } from '../../src/file/mp4-esds.js';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

test('readBoxHeader: 32-bit, 64-bit and to-the-end sizes; impossible ones named', () => {
  assert.deepEqual(readBoxHeader(bytes([0, 0, 0, 24], 'ftyp'), 0, 1000), {
    type: 'ftyp',
    headerSize: 8,
    size: 24,
  });
  assert.deepEqual(readBoxHeader(bytes([0, 0, 0, 1], 'mdat', [0, 0, 0, 1, 0, 0, 0, 16]), 32, 2 ** 33), {
    type: 'mdat',
    headerSize: 16,
    size: 2 ** 32 + 16,
  });
  assert.deepEqual(readBoxHeader(bytes([0, 0, 0, 0], 'mdat'), 100, 1000), {
    type: 'mdat',
    headerSize: 8,
    size: 900,
  });
  assert.equal(
    readBoxHeader(bytes([0, 0, 0, 4], 'free'), 8, 100),
    "box 'free' at byte 8 has an impossible size 4",
  );
  assert.equal(readBoxHeader(bytes([0, 0, 0]), 40, 43), 'a box header cut off at byte 40');
  assert.equal(
    readBoxHeader(bytes([0, 0, 0, 1], 'mdat', [0]), 0, 100),
    'a 64-bit box size cut off at byte 0',
  );
});

// esds of ffmpeg's AAC-LC 48 kHz stereo: ES_Descriptor > DecoderConfigDescriptor (0x40) > ASC 11 90
const ESDS_BODY = bytes(
  [0, 0, 0, 0],
  [0x03, 0x80, 0x80, 0x80, 0x22, 0x00, 0x02, 0x00],
  [
    0x04, 0x80, 0x80, 0x80, 0x14, 0x40, 0x15, 0x00, 0x00, 0x00, 0x00, 0x01, 0x77, 0x00, 0x00, 0x01, 0x77,
    0x00,
  ],
  [0x05, 0x80, 0x80, 0x80, 0x02, 0x11, 0x90],
  [0x06, 0x80, 0x80, 0x80, 0x01, 0x02],
);

test('readEsds: object type and AudioSpecificConfig, long or short size fields', () => {
  assert.deepEqual(readEsds(ESDS_BODY), { oti: 0x40, specific: Uint8Array.of(0x11, 0x90) });
  const short = bytes(
    [0, 0, 0, 0],
    [0x03, 0x14, 0, 1, 0],
    [0x04, 0x0f, 0x6b, ...new Array(12).fill(0)],
    [0x05, 0x00],
  );
  assert.deepEqual(readEsds(short), { oti: 0x6b, specific: new Uint8Array(0) });
  assert.equal(readEsds(bytes([0, 0, 0, 0], [0x04, 0x00])), 'esds without an ES_Descriptor');
  assert.equal(
    readEsds(bytes([0, 0, 0, 0], [0x03, 0x03, 0, 1, 0])),
    'esds without a DecoderConfigDescriptor',
  );
  assert.equal(readEsds(ESDS_BODY.subarray(0, 20)), 'esds without an ES_Descriptor');
});

test('findNestedBox: an esds inside a QuickTime wave box inside a sample entry', () => {
  const esds = bytes([0, 0, 0, 8 + ESDS_BODY.length], 'esds', [...ESDS_BODY]);
  const wave = bytes([0, 0, 0, 8 + 12 + esds.length], 'wave', [0, 0, 0, 12], 'frma', 'mp4a', [...esds]);
  const entry = bytes([0, 0, 0, 8 + 44 + wave.length], 'mp4a', new Array(44).fill(0), [...wave]);
  assert.deepEqual(findNestedBox(entry, 'esds'), ESDS_BODY);
  assert.equal(findNestedBox(entry, 'btrt'), undefined);
  const lying = bytes([0, 0, 1, 0], 'esds', [1, 2, 3]); // its size runs past the bytes: not a box
  assert.equal(findNestedBox(lying, 'esds'), undefined);
});

test('sniffContainer: ftyp/moov for MP4, FLV signature, TS sync bytes at 188, 204 and M2TS 192 spacing', () => {
  const at = (length: number, marks: [number, number][]) => {
    const b = new Uint8Array(length);
    for (const [i, v] of marks) b[i] = v;
    return b;
  };
  assert.equal(sniffContainer(bytes([0, 0, 0, 32], 'ftypisom')), 'mp4');
  assert.equal(sniffContainer(bytes([0, 0, 0, 32], 'moov')), 'mp4');
  assert.equal(sniffContainer(bytes('FLV', [1, 5, 0, 0, 0, 9])), 'flv');
  assert.equal(
    sniffContainer(
      at(205, [
        [0, 0x47],
        [188, 0x47],
      ]),
    ),
    'ts',
  );
  assert.equal(
    sniffContainer(
      at(205, [
        [0, 0x47],
        [204, 0x47],
      ]),
    ),
    'ts',
  );
  assert.equal(
    sniffContainer(
      at(205, [
        [4, 0x47],
        [196, 0x47],
      ]),
    ),
    'ts',
  );
  assert.equal(sniffContainer(at(205, [[0, 0x47]])), undefined);
  assert.equal(sniffContainer(bytes('plain text, not a container')), undefined);
  assert.equal(sniffContainer(new Uint8Array(0)), undefined);
});
