import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AVPacket, Codec } from '../../src/avpacket.js';
import { type Reanchor, Timeline } from '../../src/timeline/index.js';

const V = 256; // video track id
const A = 257; // audio track id
const S = 500; // SCTE-35 track id
const WRAP = 2 ** 33; // the MPEG-TS clock rolls over here; readers hand us unwrapped values

interface Step {
  /** Input: [trackId, dts, pts?]; the codec follows from the track id. */
  in: [number, number, number?];
  codec?: Codec;
  session?: boolean;
  /** Expected output: [dts, pts?] (pts defaults to dts + the input's composition offset). */
  out: [number, number?];
}

const CODEC: Record<number, Codec> = { [V]: 'h264', [A]: 'aac', [S]: 'scte35' };

function packet(trackId: number, dts: number, pts = dts, codec = CODEC[trackId] ?? 'h264'): AVPacket {
  return { codec, trackId, dts, pts, key: false, data: new Uint8Array([trackId & 0xff]) };
}

/** Runs the steps through one Timeline and checks every output; returns the re-anchor notices. */
function run(steps: Step[]): Reanchor[] {
  const notices: Reanchor[] = [];
  const timeline = new Timeline({}, (notice) => notices.push(notice));
  steps.forEach((step, index) => {
    const [trackId, dts, pts] = step.in;
    const input = packet(trackId, dts, pts, step.codec);
    const output = timeline.apply(input, { sessionStart: step.session ?? false });
    const [wantDts, wantPts] = step.out;
    const expected = [wantDts, wantPts ?? wantDts + (input.pts - input.dts)];
    assert.deepEqual([output.dts, output.pts], expected, `step ${index}: ${JSON.stringify(step)}`);
    assert.equal(output.data, input.data, 'payload is passed through, not copied');
  });
  return notices;
}

describe('Timeline', () => {
  const cases: { name: string; steps: Step[]; reanchors?: Partial<Reanchor>[] }[] = [
    {
      name: 'the first session keeps source timestamps, B-frame composition offsets included',
      steps: [
        { in: [V, 1000, 7000], session: true, out: [1000] },
        { in: [V, 4600, 19600], out: [4600] },
        { in: [V, 8200, 11800], out: [8200] },
        { in: [V, 11800, 15400], out: [11800] },
      ],
      reanchors: [{ trackId: V, reason: 'start', mode: 'new', offset: 0 }],
    },
    {
      name: 'negative source timestamps are lifted to start at zero',
      steps: [
        { in: [V, -3600, 0], session: true, out: [0, 3600] },
        { in: [V, 0, 3600], out: [3600, 7200] },
      ],
    },
    {
      name: 'a reconnect continues one frame (the spacing seen) after the last output, offset kept',
      steps: [
        { in: [V, 90000, 93600], session: true, out: [90000] },
        { in: [V, 93600, 97200], out: [93600] },
        { in: [V, 500, 4100], session: true, out: [97200, 100800] },
        { in: [V, 4100, 7700], out: [100800, 104400] },
      ],
      reanchors: [
        { reason: 'start', mode: 'new' },
        { reason: 'session', mode: 'new', offset: 96700 },
      ],
    },
    {
      name: 'a track seen only once continues by its codec default duration (AAC: 1920)',
      steps: [
        { in: [A, 5000], session: true, out: [5000] },
        { in: [A, 1], session: true, out: [6920] },
      ],
    },
    {
      name: 'audio only: a reconnect continues after the last frame',
      steps: [
        { in: [A, 10000], session: true, out: [10000] },
        { in: [A, 11920], out: [11920] },
        { in: [A, 13840], out: [13840] },
        { in: [A, 777777], session: true, out: [15760] },
        { in: [A, 779697], out: [17680] },
      ],
    },
    {
      name: 'within a session, a forward step up to 2 s is a gap and is kept',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [V, 3600 + 180000], out: [3600 + 180000] },
      ],
      reanchors: [{ reason: 'start' }],
    },
    {
      name: 'a continuation leaves the smallest recent step, so a gap kept earlier does not widen it',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [V, 3600 + 135_000], out: [3600 + 135_000] },
        { in: [V, 5], session: true, out: [3600 + 135_000 + 3600] },
      ],
    },
    {
      name: 'a forward jump beyond 2 s re-anchors one frame after the last output',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [V, 3600 + 180001], out: [7200] },
        { in: [V, 3600 + 180001 + 3600], out: [10800] },
      ],
      reanchors: [{ reason: 'start' }, { reason: 'jump-forward', mode: 'new' }],
    },
    {
      name: 'any backward step re-anchors (a looped file, a clock reset)',
      steps: [
        { in: [V, 900000], session: true, out: [900000] },
        { in: [V, 903600], out: [903600] },
        { in: [V, 903599], out: [907200] },
        { in: [V, 907199], out: [910800] },
      ],
      reanchors: [{ reason: 'start' }, { reason: 'jump-backward', mode: 'new' }],
    },
    {
      name: 'a repeated DTS is moved one tick on, and the track realigns with its next step',
      steps: [
        { in: [A, 0], session: true, out: [0] },
        { in: [A, 1920], out: [1920] },
        { in: [A, 1920], out: [1921] },
        { in: [A, 3840], out: [3840] },
      ],
    },
    {
      name: 'values beyond the 33-bit wrap (unwrapped upstream) are ordinary steps',
      steps: [
        { in: [V, WRAP - 3600], session: true, out: [WRAP - 3600] },
        { in: [V, WRAP], out: [WRAP] },
        { in: [V, WRAP + 3600], out: [WRAP + 3600] },
        { in: [V, 7200], session: true, out: [WRAP + 7200] },
      ],
      reanchors: [{ reason: 'start' }, { reason: 'session' }],
    },
    {
      name: 'failover between unrelated clocks: the tracks share one offset, so A/V alignment holds',
      steps: [
        { in: [V, 1_000_000, 1_003_600], session: true, out: [1_000_000] },
        { in: [A, 1_000_000], out: [1_000_000] },
        { in: [V, 1_003_600, 1_007_200], out: [1_003_600] },
        { in: [A, 1_001_920], out: [1_001_920] },
        // The new source's audio runs 900 ticks behind its video, as its own timestamps say.
        { in: [V, 50_000_000, 50_003_600], session: true, out: [1_007_200] },
        { in: [A, 49_999_100], out: [1_006_300] },
        { in: [V, 50_003_600, 50_007_200], out: [1_010_800] },
        { in: [A, 50_001_020], out: [1_008_220] },
      ],
      reanchors: [
        { trackId: V, reason: 'start', mode: 'new' },
        { trackId: A, reason: 'new-track', mode: 'shared' },
        { trackId: V, reason: 'session', mode: 'new', offset: 1_007_200 - 50_000_000 },
        { trackId: A, reason: 'session', mode: 'shared', offset: 1_007_200 - 50_000_000 },
      ],
    },
    {
      name: 'when sharing would move a track back over its own output, the shared offset is lifted',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [A, 0], out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [A, 1920], out: [1920] },
        // New session: audio arrives first; the new video starts 9000 ticks earlier than it.
        { in: [A, 20_000], session: true, out: [7200] },
        { in: [V, 11_000], out: [7200] },
        { in: [A, 21_920], out: [18_120] },
        { in: [V, 14_600], out: [10_800] },
      ],
      reanchors: [
        { trackId: V, reason: 'start' },
        { trackId: A, reason: 'new-track', mode: 'shared' },
        { trackId: A, reason: 'session', mode: 'new', offset: 7200 - 20_000 },
        { trackId: V, reason: 'session', mode: 'lifted', offset: 7200 - 11_000 },
      ],
    },
    {
      name: 'a track landing farther than the snap window (1 s) from the others snaps to the head',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [A, 3600 + 90_001], out: [7200] },
        { in: [A, 3600 + 90_001 + 1920], out: [9120] },
      ],
      reanchors: [
        { trackId: V, reason: 'start' },
        { trackId: A, reason: 'new-track', mode: 'new' },
      ],
    },
    {
      name: 'a late track within the snap window joins with its source alignment',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [A, 3600 + 90_000], out: [3600 + 90_000] },
      ],
      reanchors: [{ trackId: V }, { trackId: A, reason: 'new-track', mode: 'shared', offset: 0 }],
    },
    {
      name: 'a discontinuity inside a session: the second track to jump joins the first one',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [A, 0], out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [A, 1920], out: [1920] },
        { in: [V, 5_000_000], out: [7200] },
        { in: [A, 5_000_500], out: [7700] },
      ],
      reanchors: [
        { trackId: V, reason: 'start' },
        { trackId: A, mode: 'shared' },
        { trackId: V, reason: 'jump-forward', mode: 'new' },
        { trackId: A, reason: 'jump-forward', mode: 'shared' },
      ],
    },
    {
      name: 'audio resuming after a 3 s hole while video went on is a gap, not a jump',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [A, 0], out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [A, 1920], out: [1920] },
        ...Array.from({ length: 75 }, (_, i): Step => ({ in: [V, 7200 + i * 3600], out: [7200 + i * 3600] })),
        { in: [A, 1920 + 270_000], out: [1920 + 270_000] },
      ],
      reanchors: [{ trackId: V }, { trackId: A }],
    },
    {
      name: 'a lone track jumping beyond 2 s ahead of the others is re-anchored to their position',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [A, 0], out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [A, 1920], out: [1920] },
        { in: [A, 1920 + 500_000], out: [7200] },
      ],
      reanchors: [{ trackId: V }, { trackId: A }, { trackId: A, reason: 'jump-forward', mode: 'new' }],
    },
    {
      name: 'SCTE-35 follows the media offset of its session and never re-anchors on its own',
      steps: [
        { in: [V, 100_000], session: true, out: [100_000] },
        { in: [S, 400_000], out: [400_000] },
        { in: [V, 103_600], out: [103_600] },
        { in: [V, 2_000], session: true, out: [107_200] },
        { in: [S, 900_000], out: [1_005_200] },
      ],
      reanchors: [{ trackId: V }, { trackId: V, reason: 'session' }],
    },
    {
      name: 'a codec change on the same track id re-anchors like a new session',
      steps: [
        { in: [V, 0], session: true, out: [0] },
        { in: [V, 3600], out: [3600] },
        { in: [V, 3600 + 90_000], codec: 'h265', out: [7200] },
      ],
      reanchors: [{ trackId: V }, { trackId: V, codec: 'h265', reason: 'session', mode: 'new' }],
    },
  ];

  for (const { name, steps, reanchors } of cases) {
    it(name, () => {
      const notices = run(steps);
      if (reanchors) {
        assert.equal(notices.length, reanchors.length, JSON.stringify(notices));
        reanchors.forEach((want, index) => {
          const got = notices[index];
          for (const [key, value] of Object.entries(want)) {
            assert.equal(
              got?.[key as keyof Reanchor],
              value,
              `notice ${index} ${key}: ${JSON.stringify(got)}`,
            );
          }
        });
      }
    });
  }

  it('applyBatch flags only the first packet of a batch as the session start', () => {
    const timeline = new Timeline();
    timeline.applyBatch([packet(V, 0), packet(V, 3600)], { sessionStart: true });
    const out = timeline.applyBatch([packet(V, 90), packet(V, 3690)], { sessionStart: true });
    assert.deepEqual(
      out.map((p) => p.dts),
      [7200, 10800],
    );
    assert.equal(timeline.counters.reanchors, 2);
  });

  it('counts lifts and bumps', () => {
    const timeline = new Timeline();
    timeline.applyBatch([packet(V, 0), packet(A, 0), packet(A, 0)], { sessionStart: true });
    timeline.applyBatch([packet(A, 20_000), packet(V, 11_000)], { sessionStart: true });
    assert.deepEqual(timeline.counters, { reanchors: 4, lifts: 1, bumps: 1 });
  });
});
