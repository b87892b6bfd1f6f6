// H.264 in legacy FLV framing: sequence header, AVCC -> Annex B, parameter sets before every
// keyframe, composition time, and what happens to frames a decoder could not use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  annexBUnits,
  avcConfig,
  CODEC_ID,
  concat,
  FRAME,
  H264_AUD,
  H264_IDR,
  H264_PPS,
  H264_SEI,
  H264_SLICE,
  H264_SPS_320,
  H264_SPS_640,
  legacyVideo,
  prefixed,
  videoTag,
} from './flv-builder.js';
import { runConverter } from './run-converter.js';

const header = (sps = H264_SPS_320) =>
  videoTag(0, legacyVideo(CODEC_ID.avc, FRAME.key, 0, 0, avcConfig([sps], [H264_PPS])));
const frame = (ts: number, key: boolean, units: Uint8Array[], cts = 0, lengthSize = 4) =>
  videoTag(ts, legacyVideo(CODEC_ID.avc, key ? FRAME.key : FRAME.inter, 1, cts, prefixed(units, lengthSize)));

function unitsOf(data: Uint8Array): string[] {
  return annexBUnits(data).map((u) => Buffer.from(u).toString('hex'));
}
const hexOf = (u: Uint8Array) => Buffer.from(u).toString('hex');

describe('FLV H.264', () => {
  it('turns the sequence header into a track and no packet', () => {
    const run = runConverter(header());
    assert.equal(run.packets.length, 0);
    assert.deepEqual(run.converter.tracks, [{ trackId: 0, codec: 'h264', width: 320, height: 240 }]);
  });

  it('puts the cached SPS/PPS in front of a keyframe that lacks them, after its delimiter', () => {
    const run = runConverter(header(), frame(40, true, [H264_AUD, H264_SEI, H264_IDR]));
    assert.equal(run.packets.length, 1);
    const p = run.packets[0]!;
    assert.deepEqual(
      { codec: p.codec, trackId: p.trackId, key: p.key, dts: p.dts, pts: p.pts },
      { codec: 'h264', trackId: 0, key: true, dts: 3600, pts: 3600 },
    );
    assert.deepEqual(unitsOf(p.data), [H264_AUD, H264_SPS_320, H264_PPS, H264_SEI, H264_IDR].map(hexOf));
    assert.deepEqual([...p.data.subarray(0, 4)], [0, 0, 0, 1]);
  });

  it('emits a keyframe with its own SPS/PPS as it is and refreshes the cache with them', () => {
    const run = runConverter(header(), frame(0, true, [H264_SPS_640, H264_PPS, H264_IDR]));
    assert.deepEqual(unitsOf(run.packets[0]!.data), [H264_SPS_640, H264_PPS, H264_IDR].map(hexOf));
    assert.deepEqual(run.converter.tracks[0], { trackId: 0, codec: 'h264', width: 640, height: 360 });
    const [next] = run.push(frame(40, true, [H264_IDR]));
    assert.deepEqual(unitsOf(next!.data), [H264_SPS_640, H264_PPS, H264_IDR].map(hexOf));
  });

  it('does not cache an SPS over 4 KiB or PPS beyond 32, and counts them', () => {
    const hugeSps = Uint8Array.from([0x67, ...new Uint8Array(5000).fill(0x11)]);
    const ppsCopies = Array.from({ length: 40 }, () => H264_PPS);
    const run = runConverter(header(), frame(0, true, [H264_SPS_640, hugeSps, ...ppsCopies, H264_IDR]));
    assert.equal(run.converter.stats.parameterSetsRefused, 1 + 8);
    assert.deepEqual(
      run.events.filter((e) => e.type === 'parameter-sets-refused'),
      [
        { type: 'parameter-sets-refused', codec: 'h264', count: 1 },
        { type: 'parameter-sets-refused', codec: 'h264', count: 8 },
      ],
    );
    const [next] = run.push(frame(40, true, [H264_IDR]));
    assert.deepEqual(
      unitsOf(next!.data),
      [H264_SPS_640, ...ppsCopies.slice(0, 32), H264_IDR].map(hexOf),
      'the SPS that fits and the first 32 PPS were cached',
    );
  });

  it('takes the keyframe flag from an IDR slice even when the FLV frame type says inter', () => {
    const run = runConverter(header(), frame(0, false, [H264_IDR]));
    assert.equal(run.packets[0]!.key, true);
    assert.deepEqual(unitsOf(run.packets[0]!.data), [H264_SPS_320, H264_PPS, H264_IDR].map(hexOf));
  });

  it('drops a keyframe without any parameter sets, and the frames that depend on it, counting both', () => {
    const run = runConverter(
      frame(0, false, [H264_SLICE]),
      frame(40, true, [H264_IDR]),
      frame(80, false, [H264_SLICE]),
      header(),
      frame(120, false, [H264_SLICE]),
      frame(160, true, [H264_IDR]),
      frame(200, false, [H264_SLICE]),
    );
    assert.deepEqual(
      run.packets.map((p) => [p.dts / 90, p.key]),
      [
        [160, true],
        [200, false],
      ],
    );
    assert.equal(run.converter.stats.keyframesWithoutParameterSets, 1);
    assert.equal(run.converter.stats.videoBeforeKeyframe, 3);
    assert.deepEqual(run.events, [{ type: 'keyframe-without-parameter-sets', codec: 'h264' }]);
  });

  it('keeps a signed composition time: PTS may be before DTS', () => {
    const run = runConverter(
      header(),
      frame(1000, true, [H264_IDR], 80),
      frame(1040, false, [H264_SLICE], -40),
    );
    assert.deepEqual(
      run.packets.map((p) => [p.dts, p.pts]),
      [
        [90_000, 97_200],
        [93_600, 90_000],
      ],
    );
    const [first] = runConverter(header(), frame(0, true, [H264_IDR], -0x800000)).packets;
    assert.equal(first!.pts, -0x800000 * 90);
  });

  it('uses the NAL length size of the configuration record', () => {
    const config = videoTag(
      0,
      legacyVideo(CODEC_ID.avc, FRAME.key, 0, 0, avcConfig([H264_SPS_320], [H264_PPS], 2)),
    );
    const run = runConverter(config, frame(0, true, [H264_IDR], 0, 2));
    assert.deepEqual(unitsOf(run.packets[0]!.data), [H264_SPS_320, H264_PPS, H264_IDR].map(hexOf));
  });

  it('drops and counts a frame whose NAL length runs past the tag', () => {
    const body = prefixed([H264_SLICE]);
    body[3] = 200;
    const run = runConverter(header(), frame(0, true, [H264_IDR]));
    run.push(videoTag(40, legacyVideo(CODEC_ID.avc, FRAME.inter, 1, 0, body)));
    assert.equal(run.packets.length, 1);
    assert.equal(run.converter.stats.malformed, 1);
    assert.equal(run.events[0]?.type, 'malformed');
  });

  it('reads a frame an encoder sent as Annex B', () => {
    const annexB = concat([0, 0, 0, 1], H264_IDR);
    const run = runConverter(header(), videoTag(0, legacyVideo(CODEC_ID.avc, FRAME.key, 1, 0, annexB)));
    assert.deepEqual(unitsOf(run.packets[0]!.data), [H264_SPS_320, H264_PPS, H264_IDR].map(hexOf));
  });

  it('holds units sent without a picture and puts them in front of the next picture', () => {
    const run = runConverter(frame(0, true, [H264_SPS_320, H264_PPS]), frame(0, true, [H264_IDR]));
    assert.equal(run.packets.length, 1);
    assert.deepEqual(unitsOf(run.packets[0]!.data), [H264_SPS_320, H264_PPS, H264_IDR].map(hexOf));
    assert.equal(run.converter.stats.keyframesWithoutParameterSets, 0);
  });

  it('ignores command frames and end-of-sequence, and counts short or unknown AVC packets', () => {
    const run = runConverter(
      videoTag(0, Uint8Array.of(0x57, 0x00)),
      videoTag(0, legacyVideo(CODEC_ID.avc, FRAME.key, 2, 0, new Uint8Array(0))),
      videoTag(0, Uint8Array.of(0x17, 0x01)),
      videoTag(0, legacyVideo(CODEC_ID.avc, FRAME.key, 9, 0, new Uint8Array(0))),
    );
    assert.equal(run.packets.length, 0);
    assert.equal(run.converter.stats.malformed, 2);
  });

  it('counts a record that is cut short and keeps the parameter sets it had', () => {
    const record = avcConfig([H264_SPS_640], [H264_PPS]);
    const run = runConverter(header(), videoTag(0, legacyVideo(7, 1, 0, 0, record.subarray(0, 12))));
    run.push(frame(0, true, [H264_IDR]));
    assert.equal(run.converter.stats.malformed, 1);
    assert.deepEqual(unitsOf(run.packets[0]!.data), [H264_SPS_320, H264_PPS, H264_IDR].map(hexOf));
  });

  it('refuses a record holding more parameter sets than any encoder sends', () => {
    const many = Array.from({ length: 31 }, () => H264_SPS_640);
    const record = avcConfig(
      many,
      Array.from({ length: 40 }, () => H264_PPS),
    );
    const run = runConverter(
      header(),
      videoTag(0, legacyVideo(7, 1, 0, 0, record)),
      frame(0, true, [H264_IDR]),
    );
    assert.equal(run.converter.stats.malformed, 1);
    assert.deepEqual(unitsOf(run.packets[0]!.data), [H264_SPS_320, H264_PPS, H264_IDR].map(hexOf));
  });
  it('caches only the first 32 of an absurd number of parameter sets sent inside a frame', () => {
    const many = Array.from({ length: 70 }, () => H264_SPS_640);
    const run = runConverter(
      header(),
      frame(0, true, [...many, H264_PPS, H264_IDR]),
      frame(40, true, [H264_IDR]),
    );
    assert.equal(run.converter.stats.parameterSetsRefused, 70 - 32);
    assert.equal(run.packets.length, 2);
    assert.deepEqual(unitsOf(run.packets[1]!.data), [...many.slice(0, 32), H264_PPS, H264_IDR].map(hexOf));
  });
});
