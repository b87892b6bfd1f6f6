import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LINE_CHARS, PlaylistError, parseAttributes, parsePlaylist } from '../../src/hls/playlist.js';

const live = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:41
#EXT-X-DISCONTINUITY-SEQUENCE:3
#EXT-X-PROGRAM-DATE-TIME:2026-11-23T10:00:00Z
#EXTINF:2.000000,
seg_41.ts
#EXTINF:1.960,title with, commas
seg_42.ts
#EXT-X-DISCONTINUITY
#EXTINF:2,
https://cdn.example.com/seg_43.ts?sig=1
`;

test('a live media playlist: sequence numbers, durations, discontinuities', () => {
  const p = parsePlaylist(live);
  assert.equal(p.kind, 'media');
  if (p.kind !== 'media') return;
  assert.equal(p.targetDuration, 2);
  assert.equal(p.mediaSequence, 41);
  assert.equal(p.discontinuitySequence, 3);
  assert.equal(p.ended, false);
  assert.equal(p.unsupported, undefined);
  assert.deepEqual(
    p.segments.map((s) => [s.sequence, s.duration, s.uri, s.discontinuity]),
    [
      [41, 2, 'seg_41.ts', false],
      [42, 1.96, 'seg_42.ts', false],
      [43, 2, 'https://cdn.example.com/seg_43.ts?sig=1', true],
    ],
  );
});

test('ENDLIST, CRLF line ends, BOM and blank lines', () => {
  const p = parsePlaylist(
    '\uFEFF#EXTM3U\r\n\r\n#EXT-X-TARGETDURATION:1\r\n#EXTINF:1,\r\na.ts\r\n#EXT-X-ENDLIST\r\n',
  );
  assert.ok(p.kind === 'media' && p.ended && p.segments.length === 1 && p.segments[0]?.uri === 'a.ts');
});

test('an empty live playlist is a media playlist with no segments yet', () => {
  const p = parsePlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:4\n');
  assert.ok(p.kind === 'media' && p.segments.length === 0 && p.targetDuration === 4);
});

test('a URI without a positive EXTINF is not a segment', () => {
  const p = parsePlaylist(
    '#EXTM3U\n#EXT-X-TARGETDURATION:1\nloose.ts\n#EXTINF:0,\nzero.ts\n#EXTINF:x,\nbad.ts\n#EXTINF:1,\nok.ts',
  );
  assert.ok(p.kind === 'media');
  assert.deepEqual(
    p.segments.map((s) => [s.uri, s.sequence]),
    [['ok.ts', 0]],
  );
});

test('a master playlist lists variants with their BANDWIDTH (attribute keys case-insensitive)', () => {
  const p = parsePlaylist(`#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
low/index.m3u8
#EXT-X-STREAM-INF:bandwidth=2400000,CODECS="avc1.64001f,mp4a.40.2"
high/index.m3u8
#EXT-X-STREAM-INF:RESOLUTION=1x1
nobw.m3u8
`);
  assert.deepEqual(p, {
    kind: 'master',
    variants: [
      { uri: 'low/index.m3u8', bandwidth: 800000 },
      { uri: 'high/index.m3u8', bandwidth: 2400000 },
      { uri: 'nobw.m3u8', bandwidth: 0 },
    ],
  });
});

test('attribute lists: quoted values keep their commas', () => {
  const a = parseAttributes('METHOD=AES-128,URI="https://k/x?a=1,b=2",IV=0x1');
  assert.deepEqual(
    [...a],
    [
      ['METHOD', 'AES-128'],
      ['URI', 'https://k/x?a=1,b=2'],
      ['IV', '0x1'],
    ],
  );
});

test('encryption, fMP4 and byte ranges are named as unsupported; METHOD=NONE is fine', () => {
  const base = '#EXTM3U\n#EXT-X-TARGETDURATION:1\n';
  const seg = '#EXTINF:1,\na.ts\n';
  const cases: [string, RegExp | undefined][] = [
    ['#EXT-X-KEY:METHOD=AES-128,URI="k"\n', /encrypted segments \(EXT-X-KEY METHOD=AES-128\)/],
    ['#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k"\n', /METHOD=SAMPLE-AES/],
    ['#EXT-X-MAP:URI="init.mp4"\n', /fMP4 segments \(EXT-X-MAP\)/],
    ['#EXT-X-BYTERANGE:1000@0\n', /byte-range/],
    ['#EXT-X-KEY:METHOD=NONE\n', undefined],
  ];
  for (const [tag, reason] of cases) {
    const p = parsePlaylist(base + tag + seg);
    assert.equal(p.kind, 'media');
    if (p.kind !== 'media') continue;
    if (reason === undefined) assert.equal(p.unsupported, undefined);
    else assert.match(p.unsupported ?? '', reason);
  }
});

test('malformed playlists fail with a message naming the line and rule', () => {
  const cases: [string, RegExp, boolean][] = [
    ['<html>404</html>', /not an HLS playlist: the first line is not #EXTM3U/, true],
    ['', /not an HLS playlist/, true],
    [
      '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:abc\n',
      /line 2: #EXT-X-MEDIA-SEQUENCE needs a whole number, got 'abc'/,
      false,
    ],
    ['#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:99999999999999999\n', /whole number/, false],
    ['#EXTM3U\n#EXT-X-TARGETDURATION:-1\n', /line 2: #EXT-X-TARGETDURATION needs a number/, false],
    ['#EXTM3U\n#EXT-X-VERSION:3\n', /neither media segments nor variant streams/, false],
    [`#EXTM3U\n#${'x'.repeat(MAX_LINE_CHARS + 1)}\n`, /line 2 is longer than 262144 characters/, true],
  ];
  for (const [text, rule, notAPlaylist] of cases) {
    assert.throws(
      () => parsePlaylist(text),
      (err: unknown) =>
        err instanceof PlaylistError && rule.test(err.message) && err.notAPlaylist === notAPlaylist,
      rule.source,
    );
  }
});

test('a huge playlist (100 000 segments) parses in one pass', () => {
  const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:7'];
  for (let i = 0; i < 100_000; i++) lines.push('#EXTINF:2.0,', `s${i}.ts`);
  const p = parsePlaylist(lines.join('\n'));
  assert.ok(p.kind === 'media');
  assert.equal(p.segments.length, 100_000);
  assert.equal(p.segments.at(-1)?.sequence, 100_006);
});
