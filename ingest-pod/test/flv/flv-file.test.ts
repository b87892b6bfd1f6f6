// The FLV file tag reader: whole files and chunks of any size give the same tags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FlvFileReader, readFlvFile } from '../../src/flv/flv-file.js';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { concat, tag, writeFlvFile } from './flv-builder.js';

const TAGS: FlvTag[] = [
  tag(18, 0, Uint8Array.of(2, 0, 1, 0x41)),
  tag(9, 0, Uint8Array.of(0x17, 0, 0, 0, 0, 1, 2, 3)),
  tag(8, 23, Uint8Array.of(0xaf, 1, 9)),
  tag(9, 0x12345678, new Uint8Array(300).fill(7)),
  tag(8, 0xfffffffe, new Uint8Array(0)),
];

const summary = (tags: FlvTag[]) =>
  tags.map((t) => `${t.type}@${t.timestamp}:${Buffer.from(t.data).toString('hex')}`);

describe('FLV file reader', () => {
  it('reads the header and every tag, the extended timestamp byte included', () => {
    const { reader, tags } = readFlvFile(writeFlvFile(TAGS));
    assert.deepEqual(reader.header, { version: 1, hasAudio: true, hasVideo: true });
    assert.deepEqual(summary(tags), summary(TAGS));
    assert.deepEqual(reader.stats, { tags: 5, skippedTags: 0, previousTagSizeMismatches: 0 });
    assert.equal(reader.pendingBytes, 4, 'only the last PreviousTagSize is left');
  });

  it('gives the same tags whatever the chunking', () => {
    const file = writeFlvFile(TAGS);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const reader = new FlvFileReader();
        const tags: FlvTag[] = [];
        for (let at = 0, i = 0; at < file.length; i++) {
          const n = sizes[i % sizes.length]!;
          tags.push(...reader.push(file.slice(at, at + n)));
          at += n;
        }
        assert.deepEqual(summary(tags), summary(TAGS));
      }),
      { numRuns: 500 },
    );
  });

  it('skips a longer header, unknown and encrypted tags, and counts bad PreviousTagSize fields', () => {
    const file = writeFlvFile(
      [
        tag(8, 1, Uint8Array.of(1)),
        tag(15 as 8, 2, Uint8Array.of(2)),
        tag((0x20 | 9) as 9, 3, Uint8Array.of(3)),
        tag(9, 4, Uint8Array.of(4)),
      ],
      13,
    );
    const at = 13 + 4 + 11 + 1 + 3; // the PreviousTagSize after the first tag
    file[at] = file[at]! ^ 0xff;
    const { reader, tags } = readFlvFile(file);
    assert.deepEqual(summary(tags), ['8@1:01', '9@4:04']);
    assert.deepEqual(reader.stats, { tags: 2, skippedTags: 2, previousTagSizeMismatches: 1 });
  });

  it('refuses bytes that are not FLV, and never asks for a huge header', () => {
    const notFlv = new FlvFileReader();
    assert.deepEqual(notFlv.push(Buffer.from('GIF89a-------')), []);
    assert.equal(notFlv.error, 'not an FLV file');
    const huge = new FlvFileReader();
    assert.deepEqual(huge.push(Uint8Array.of(0x46, 0x4c, 0x56, 1, 5, 0xff, 0xff, 0xff, 0xff, 1, 2, 3)), []);
    assert.equal(huge.error, undefined);
  });

  it('holds a tag cut short until the rest comes', () => {
    const file = writeFlvFile(TAGS);
    const reader = new FlvFileReader();
    const head = reader.push(file.subarray(0, 40));
    assert.ok(reader.pendingBytes > 0);
    const tail = reader.push(concat(file.subarray(40)));
    assert.deepEqual(summary([...head, ...tail]), summary(TAGS));
  });
});
