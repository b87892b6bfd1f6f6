import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HlsPart, HlsSegment } from '../../src/buffer/hls/media-segment.js';
import { renderPlaylist } from '../../src/buffer/hls/playlist.js';

const EMPTY = new Uint8Array(0);
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

function part(
  msn: number,
  index: number,
  duration: number,
  complete = true,
  independent = index === 0,
): HlsPart {
  return { msn, index, independent, startTicks: 0, durationTicks: duration, complete, data: EMPTY };
}

function segment(
  msn: number,
  duration: number,
  parts: HlsPart[],
  fields: Partial<HlsSegment> = {},
): HlsSegment {
  return {
    msn,
    discontinuity: false,
    firstGopSeq: msn,
    programDateTimeMs: T0 + (msn - 7) * 2000,
    startTicks: 0,
    durationTicks: duration,
    complete: duration > 0,
    parts,
    data: EMPTY,
    ...fields,
  };
}

describe('renderPlaylist', () => {
  it('lists whole segments, parts of the recent ones, the discontinuity and the next part to load', () => {
    const text = renderPlaylist({
      segments: [
        segment(7, 180_000, [part(7, 0, 90_000), part(7, 1, 90_000)]),
        segment(8, 45_000, [part(8, 0, 45_000)], { discontinuity: true }),
        segment(9, 0, [part(9, 0, 43_200), part(9, 1, 0, false)]),
      ],
      mediaSequence: 7,
      discontinuitySequence: 2,
      targetDuration: 2,
      partTarget: 0.5,
      partsFromMsn: 8,
    });
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5',
        '#EXT-X-PART-INF:PART-TARGET=0.5',
        '#EXT-X-MEDIA-SEQUENCE:7',
        '#EXT-X-DISCONTINUITY-SEQUENCE:2',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:00:00.000Z',
        '#EXTINF:2.000,',
        'seg-7.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:00:02.000Z',
        '#EXT-X-PART:DURATION=0.500,URI="part-8.0.ts",INDEPENDENT=YES',
        '#EXTINF:0.500,',
        'seg-8.ts',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:00:04.000Z',
        '#EXT-X-PART:DURATION=0.480,URI="part-9.0.ts",INDEPENDENT=YES',
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-9.1.ts"',
        '',
      ].join('\n'),
    );
  });

  it('hints at the first part of a segment that has none complete yet, without announcing the segment', () => {
    const text = renderPlaylist({
      segments: [
        segment(3, 180_000, [part(3, 0, 180_000)]),
        segment(4, 0, [part(4, 0, 0, false)], { discontinuity: true }),
      ],
      mediaSequence: 3,
      discontinuitySequence: 0,
      targetDuration: 3,
      partTarget: 0.52,
      partsFromMsn: 2,
    });
    assert.ok(text.includes('#EXT-X-TARGETDURATION:3\n'));
    assert.ok(text.includes('PART-HOLD-BACK=1.56\n#EXT-X-PART-INF:PART-TARGET=0.52\n'));
    assert.ok(
      text.endsWith(
        '#EXT-X-PART:DURATION=2.000,URI="part-3.0.ts",INDEPENDENT=YES\n#EXTINF:2.000,\nseg-3.ts\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-4.0.ts"\n',
      ),
      text,
    );
    assert.ok(!text.includes('#EXT-X-DISCONTINUITY\n'));
  });
});
