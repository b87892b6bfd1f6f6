// onMetaData for probe, malformed script data, and when `tracks`/`tracksRevision` change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlvConverter } from '../../src/flv/flv-converter.js';
import {
  asc,
  audio,
  audioTag,
  avcConfig,
  CODEC_ID,
  FRAME,
  H264_IDR,
  H264_PPS,
  H264_SLICE,
  H264_SPS_320,
  H264_SPS_640,
  legacyVideo,
  prefixed,
  SOUND,
  script,
  tag,
  videoTag,
} from './flv-builder.js';
import { runConverter } from './run-converter.js';

const metaTag = (values: Parameters<typeof script>[0]) => tag(18, 0, script(values));

describe('FLV script tags', () => {
  it('keeps onMetaData as a plain object, in the FLV file and the @setDataFrame form', () => {
    const file = runConverter(metaTag(['onMetaData', { width: 320, height: 240, encoder: 'Lavf59' }]));
    assert.deepEqual({ ...file.converter.metadata }, { width: 320, height: 240, encoder: 'Lavf59' });
    const published = runConverter(metaTag(['@setDataFrame', 'onMetaData', { framerate: 25 }]));
    assert.equal(published.converter.metadata?.framerate, 25);
    assert.equal(published.packets.length, 0);
  });

  it('ignores other script data and counts what AMF0 cannot decode, without throwing', () => {
    const run = runConverter(
      metaTag(['onCuePoint', { name: 'x' }]),
      metaTag(['onMetaData', 'not an object']),
      tag(18, 0, Uint8Array.of(0x02, 0x00, 0x0a, 0x6f)),
      tag(18, 0, Uint8Array.of(0xee)),
    );
    assert.equal(run.converter.metadata, undefined);
    assert.equal(run.converter.stats.malformed, 3);
    assert.deepEqual(
      run.events.map((e) => e.type === 'malformed' && e.media),
      ['script', 'script', 'script'],
    );
  });

  it('counts a tag type that is none of audio, video, script', () => {
    const run = runConverter({ type: 7 as 8, timestamp: 0, data: Uint8Array.of(1) });
    assert.deepEqual(run.events, [{ type: 'malformed', media: 'other', detail: 'FLV tag type 7' }]);
  });
});

describe('FLV tracks', () => {
  const avcHeader = (sps: Uint8Array) =>
    videoTag(0, legacyVideo(CODEC_ID.avc, FRAME.key, 0, 0, avcConfig([sps], [H264_PPS])));

  it('changes tracksRevision only when the tracks change', () => {
    const c = new FlvConverter();
    const revisions = [c.tracksRevision];
    const steps = [
      avcHeader(H264_SPS_320),
      videoTag(0, legacyVideo(CODEC_ID.avc, FRAME.key, 1, 0, prefixed([H264_IDR]))),
      videoTag(40, legacyVideo(CODEC_ID.avc, FRAME.inter, 1, 0, prefixed([H264_SLICE]))),
      audioTag(0, audio(SOUND.aac, asc(2, { index: 3 }, 2), 0)),
      audioTag(21, audio(SOUND.aac, Uint8Array.of(1), 1)),
      avcHeader(H264_SPS_320),
      avcHeader(H264_SPS_640),
      audioTag(42, audio(SOUND.aac, asc(2, { index: 3 }, 1), 0)),
    ];
    for (const t of steps) {
      c.push(t);
      revisions.push(c.tracksRevision);
    }
    const changedAt = revisions.flatMap((r, i) => (i > 0 && r !== revisions[i - 1] ? [i] : []));
    assert.deepEqual(changedAt, [1, 4, 7, 8]);
    assert.deepEqual(c.tracks, [
      { trackId: 0, codec: 'h264', width: 640, height: 360 },
      { trackId: 1, codec: 'aac', sampleRate: 48000, channels: 1 },
    ]);
  });

  it('forgets everything on reset, with a revision it never had before', () => {
    const run = runConverter(avcHeader(H264_SPS_320), metaTag(['onMetaData', { a: 1 }]));
    const before = run.converter.tracksRevision;
    run.converter.reset();
    assert.deepEqual(run.converter.tracks, []);
    assert.equal(run.converter.metadata, undefined);
    assert.equal(run.converter.stats.tags, 0);
    assert.ok(run.converter.tracksRevision > before);
    const [dropped] = run.push(videoTag(0, legacyVideo(CODEC_ID.avc, FRAME.key, 1, 0, prefixed([H264_IDR]))));
    assert.equal(dropped, undefined, 'the parameter sets went with the reset');
  });
});
