import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFileUrl } from '../../src/file/file-url.js';
import { ReaderError } from '../../src/reader/packet-reader.js';

test('file://<mount>/<path> with loop and pace options', () => {
  assert.deepEqual(parseFileUrl('file://movies/2024/clip.ts'), {
    mount: 'movies',
    segments: ['2024', 'clip.ts'],
    loop: true,
    pace: 'realtime',
  });
  const once = parseFileUrl('file://movies/a%20b.ts?loop=false&pace=none');
  assert.deepEqual([once.segments, once.loop, once.pace], [['a b.ts'], false, 'none']);
  assert.deepEqual(parseFileUrl('file://m/./x//y.ts').segments, ['x', 'y.ts']);
  assert.deepEqual(parseFileUrl('file://m/a/b/../../c/%2e%2e/d.ts').segments, ['d.ts']);
});

test('loop defaults to true; only false, 0, no, off turn it off (typos keep looping)', () => {
  for (const value of ['false', '0', 'no', 'off', 'OFF', ' No ']) {
    assert.equal(parseFileUrl(`file://m/x.ts?loop=${encodeURIComponent(value)}`).loop, false, value);
  }
  for (const value of ['true', '1', 'yes', 'flase', '']) {
    assert.equal(parseFileUrl(`file://m/x.ts?loop=${value}`).loop, true, value);
  }
});

test('rejections name the rule', () => {
  const cases: [string, RegExp][] = [
    ['/vod/movies/x.ts', /bare paths are not read/],
    ['file:///vod/movies/x.ts', /has no mount name/],
    ['file://movies', /has no file path/],
    ['file://movies/', /has no file path/],
    ['file://movies/../secrets/x.ts', /path escapes mount root/],
    ['file://movies/a/%2e%2e/%2E%2E/x.ts', /path escapes mount root/],
    ['file://Movies/x.ts', /'Movies' is not a VodMount name/],
    ['file://movies/a%2F..%2Fb.ts', /encodes a separator/],
    ['file://movies/a%00.ts', /encodes a separator or NUL/],
    ['file://movies/%zz.ts', /bad percent-encoding/],
    ['file://user@movies/x.ts', /is not a VodMount name/],
    ['file://movies:80/x.ts', /is not a VodMount name/],
    ['file://movies/x.ts?pace=fast', /pace must be realtime or none, not 'fast'/],
    ['http://movies/x.ts', /expected file:\/\/<mount>\/<path>/],
  ];
  for (const [url, rule] of cases) {
    assert.throws(
      () => parseFileUrl(url),
      (err: unknown) => err instanceof ReaderError && !err.retriable && rule.test(err.message),
      url,
    );
  }
});
