import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PlaylistError, parsePlaylist } from '../../src/hls/playlist.js';
import { chooseVariant } from '../../src/hls/segment-plan.js';

// 100 000 cases in all: 60 000 hostile line soups, 30 000 media and 10 000 master round trips.

const TAGS = [
  '#EXTINF:',
  '#EXT-X-TARGETDURATION:',
  '#EXT-X-MEDIA-SEQUENCE:',
  '#EXT-X-DISCONTINUITY-SEQUENCE:',
  '#EXT-X-DISCONTINUITY',
  '#EXT-X-ENDLIST',
  '#EXT-X-STREAM-INF:',
  '#EXT-X-KEY:',
  '#EXT-X-MAP:',
  '#EXT-X-BYTERANGE:',
  '#EXT-X-VERSION:',
  '#EXTM3U',
  '#',
  '',
];
const valueish = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.double({ noNaN: false }).map(String),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
  fc.constantFrom('BANDWIDTH=', 'METHOD=NONE', 'BANDWIDTH="1,2"', 'URI="', '1.5,title', ',,,', '=', '"'),
);
const line = fc.oneof(
  fc.tuple(fc.constantFrom(...TAGS), valueish).map(([t, v]) => t + v),
  fc.string({ maxLength: 40 }),
  fc.webUrl(),
  fc.constantFrom('seg.ts', ' seg.ts ', '\t', '\r', '\uFEFF#EXTM3U'),
);
const soup = fc
  .tuple(fc.boolean(), fc.array(line, { maxLength: 40 }), fc.constantFrom('\n', '\r\n', '\r'))
  .map(([header, lines, eol]) => (header ? ['#EXTM3U', ...lines] : lines).join(eol));

test('hostile input: only PlaylistError is thrown, and results are self-consistent (60 000 cases)', () => {
  fc.assert(
    fc.property(soup, (text) => {
      let p: ReturnType<typeof parsePlaylist>;
      try {
        p = parsePlaylist(text);
      } catch (err) {
        assert.ok(err instanceof PlaylistError, `unexpected ${String(err)}`);
        return;
      }
      if (p.kind === 'master') {
        assert.ok(p.variants.length > 0);
        for (const v of p.variants) assert.ok(v.uri.length > 0 && !v.uri.startsWith('#') && v.bandwidth >= 0);
        return;
      }
      assert.ok(Number.isSafeInteger(p.mediaSequence) && p.mediaSequence >= 0);
      assert.ok(Number.isFinite(p.targetDuration) && p.targetDuration >= 0);
      p.segments.forEach((s, i) => {
        assert.equal(s.sequence, p.mediaSequence + i);
        assert.ok(s.duration > 0 && Number.isFinite(s.duration));
        assert.ok(s.uri.length > 0 && !s.uri.startsWith('#') && s.uri === s.uri.trim());
      });
    }),
    { numRuns: 60_000 },
  );
});

const uri = fc.stringMatching(/^[a-z0-9_/.-]{1,20}\.ts$/);
const segment = fc.record({
  uri,
  duration: fc.integer({ min: 1, max: 20_000 }).map((ms) => ms / 1000),
  discontinuity: fc.boolean(),
});
const media = fc.record({
  targetDuration: fc.integer({ min: 1, max: 30 }),
  mediaSequence: fc.integer({ min: 0, max: 2 ** 40 }),
  discontinuitySequence: fc.integer({ min: 0, max: 1000 }),
  segments: fc.array(segment, { maxLength: 30 }),
  ended: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n'),
  noise: fc.array(
    fc.constantFrom(
      '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '## x',
      '',
    ),
    {
      maxLength: 3,
    },
  ),
});

test('media playlists survive a render/parse round trip (30 000 cases)', () => {
  fc.assert(
    fc.property(media, (m) => {
      const lines = [
        '#EXTM3U',
        `#EXT-X-TARGETDURATION:${m.targetDuration}`,
        `#EXT-X-MEDIA-SEQUENCE:${m.mediaSequence}`,
        `#EXT-X-DISCONTINUITY-SEQUENCE:${m.discontinuitySequence}`,
        ...m.noise,
      ];
      for (const s of m.segments) {
        if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
        lines.push(`#EXTINF:${s.duration.toFixed(3)},`, ...m.noise, s.uri);
      }
      if (m.ended) lines.push('#EXT-X-ENDLIST');
      const p = parsePlaylist(lines.join(m.eol));
      assert.equal(p.kind, 'media');
      if (p.kind !== 'media') return;
      assert.equal(p.targetDuration, m.targetDuration);
      assert.equal(p.mediaSequence, m.mediaSequence);
      assert.equal(p.discontinuitySequence, m.discontinuitySequence);
      assert.equal(p.ended, m.ended);
      assert.deepEqual(
        p.segments,
        m.segments.map((s, i) => ({ ...s, sequence: m.mediaSequence + i })),
      );
    }),
    { numRuns: 30_000 },
  );
});

test('master playlists: every variant parsed, the highest BANDWIDTH chosen, later wins ties (10 000 cases)', () => {
  const variants = fc.array(
    fc.record({ uri: fc.stringMatching(/^[a-z0-9/]{1,12}\.m3u8$/), bandwidth: fc.nat(50_000_000) }),
    {
      minLength: 1,
      maxLength: 10,
    },
  );
  fc.assert(
    fc.property(variants, (vs) => {
      const text = [
        '#EXTM3U',
        ...vs.flatMap((v) => [`#EXT-X-STREAM-INF:CODECS="a,b",BANDWIDTH=${v.bandwidth}`, v.uri]),
      ];
      const p = parsePlaylist(text.join('\n'));
      assert.deepEqual(p, { kind: 'master', variants: vs.map((v) => ({ ...v })) });
      if (p.kind !== 'master') return;
      const max = Math.max(...vs.map((v) => v.bandwidth));
      const lastMax = vs.findLastIndex((v) => v.bandwidth === max);
      assert.equal(chooseVariant(p), p.variants[lastMax]);
    }),
    { numRuns: 10_000 },
  );
});
