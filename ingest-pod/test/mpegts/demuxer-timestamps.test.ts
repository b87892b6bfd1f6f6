// PTS/DTS past the 33-bit wrap: an ffmpeg source that crosses it, a synthetic day-long stream,
// and discontinuity_indicator.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TimestampUnwrapper } from '../../src/mpegts/timestamp-unwrap.js';
import { ffprobeCounts, ffprobePackets, makeTsFile } from '../support/media.js';
import { byTrack, demuxAll } from './demux-helpers.js';
import { patSection, pmtSection, TsWriter } from './ts-builder.js';

const WRAP = 2 ** 33;
let dir: string;
let file: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-demux-wrap-'));
  // Starts 0.8 s before the wrap (95441.5 s + ffmpeg's 1.4 s muxing delay ≈ 2^33 / 90 kHz).
  file = await makeTsFile(dir, { video: 'h264-bframes', audio: 'aac', seconds: 3, startPts: 95441.5 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('33-bit wrap from ffmpeg', () => {
  it('keeps counting past 2^33, equal to ffprobe (which shows it as negative before the wrap)', async () => {
    const probed = await ffprobeCounts(file);
    const probedPackets = await ffprobePackets(file);
    const { packets } = demuxAll(await readFile(file), {}, 1316);
    const tracks = byTrack(packets);
    for (const s of probed) {
      const ours = tracks.get(s.pid!)!;
      assert.equal(ours.length, s.frames);
      // The source really wraps: it starts below 2^33 and ends above it.
      assert.ok(ours[0]!.dts < WRAP && ours.at(-1)!.dts > WRAP, `${s.codec} crosses the wrap`);
      assert.deepEqual(
        ours.map((p) => [p.pts - WRAP, p.dts - WRAP]),
        probedPackets.get(s.index)!.map((p) => [p.pts, p.dts]),
      );
      for (let i = 1; i < ours.length; i++) assert.ok(ours[i]!.dts > ours[i - 1]!.dts);
    }
  });
});

describe('TimestampUnwrapper', () => {
  it('counts through many wraps on a continuous stream (no periodic re-reference needed)', () => {
    const u = new TimestampUnwrapper();
    const step = 3003;
    const start = WRAP - 10 * step;
    let last = -1;
    // 60 hours at 29.97 fps (one wrap is 26.5 h; mux.js goes wrong after 13 h without a flush),
    // in coarse steps so the test stays fast.
    for (let t = start; t < start + 60 * 3600 * 90000; t += step * 97) {
      const value = u.dts(t % WRAP, -1);
      assert.equal(value, t);
      assert.ok(value > last);
      last = value;
    }
    assert.ok(last > 3 * WRAP);
  });

  it('takes a step back of less than 2^32 as it is, and a larger one as a wrap', () => {
    const u = new TimestampUnwrapper();
    assert.equal(u.dts(5_000_000_000, -1), 5_000_000_000);
    assert.equal(u.dts(4_000_000_000, -1), 4_000_000_000);
    assert.equal(u.dts(4_500_000_000, -1), 4_500_000_000);
    assert.equal(u.dts(100, -1), WRAP + 100);
  });

  it('unwraps PTS against its own DTS', () => {
    const u = new TimestampUnwrapper();
    const dts = u.dts(WRAP - 1000, -1);
    assert.equal(u.pts(2000, dts), WRAP + 2000);
    assert.equal(u.pts(WRAP - 500, dts), WRAP - 500);
  });

  it('seeds a new track from its program, so tracks starting either side of the wrap agree', () => {
    const u = new TimestampUnwrapper();
    assert.equal(u.dts(3000, WRAP - 3000), WRAP + 3000);
    const alone = new TimestampUnwrapper();
    assert.equal(alone.dts(3000, -1), 3000);
  });

  it('after a discontinuity takes the next value on the same epoch instead of as a wrap', () => {
    const u = new TimestampUnwrapper();
    u.dts(WRAP - 100, -1);
    u.dts(50, -1); // wrapped: WRAP + 50
    u.discontinuity();
    assert.equal(u.dts(7_000_000_000, -1), WRAP + 7_000_000_000);
    assert.equal(u.dts(7_000_003_000, -1), WRAP + 7_000_003_000);
  });
});

describe('discontinuity_indicator', () => {
  it('is counted per PID, and the jump after it is not read as a wrap', () => {
    const aac = Uint8Array.from([0xff, 0xf1, 0x4c, 0x80, 0x01, 0x7f, 0xfc, 0x21, 0, 0, 0, 0, 0, 0, 0]);
    aac[4] = (aac.length >> 3) & 0xff;
    aac[5] = ((aac.length & 7) << 5) | 0x1f;
    const w = new TsWriter()
      .section(0, patSection([{ program: 1, pmtPid: 0x1000 }]))
      .section(0x1000, pmtSection(1, 0x101, [{ streamType: 0x0f, pid: 0x101 }]))
      .pes(0x101, aac, { streamId: 0xc0, pts: 8_000_000_000 })
      .pes(0x101, aac, { streamId: 0xc0, pts: 100 }) // wrap
      .pes(0x101, aac, { streamId: 0xc0, pts: 6_000_000_000 }, { discontinuity: true, cc: 9 });
    const { packets, events, demuxer } = demuxAll(w.bytes());
    assert.deepEqual(
      packets.map((p) => p.pts),
      [8_000_000_000, WRAP + 100, WRAP + 6_000_000_000],
    );
    assert.deepEqual(events, [{ type: 'discontinuity', pid: 0x101 }]);
    assert.equal(demuxer.stats.discontinuities, 1);
    assert.equal(demuxer.stats.ccErrors, 0, 'the counter may jump with the indicator set');
  });
});
