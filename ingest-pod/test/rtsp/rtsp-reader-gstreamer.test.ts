// The RTSP input as the pod reads it (createReader → RtspReader), against GStreamer's RTSP server:
// H.264 + AAC and H.265 over TCP and UDP, whole access units with monotonic timestamps, the tracks
// on one timeline, and precise errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import type { InputReader, ReaderEvent } from '../../src/reader/reader-api.js';
import { createReader } from '../../src/sources/create-reader.js';
import { type RtspServerPeer, startRtspServer } from '../support/rtsp-peers.js';

const TICKS_PER_MS = 90;

/** Reads until `enough` holds for what was read, or the reader ends. */
async function readUntil(reader: InputReader, enough: (got: AVPacket[]) => boolean): Promise<AVPacket[]> {
  const got: AVPacket[] = [];
  while (!enough(got)) {
    const batch = await reader.read();
    if (batch === null) break;
    got.push(...batch);
  }
  return got;
}

const ofCodec = (packets: AVPacket[], codec: string) => packets.filter((p) => p.codec === codec);

function assertMonotonic(packets: AVPacket[], what: string): void {
  for (let i = 1; i < packets.length; i++) {
    assert.ok(packets[i]!.dts > packets[i - 1]!.dts, `${what}: DTS not increasing at ${i}`);
    assert.ok(packets[i]!.pts >= packets[i]!.dts, `${what}: PTS before DTS at ${i}`);
  }
}

/** NAL unit types of an Annex B access unit (H.264: the low 5 bits). */
function h264NalTypes(data: Uint8Array): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) types.push(data[i + 3]! & 0x1f);
  }
  return types;
}

describe('RTSP input against GStreamer', () => {
  let server: RtspServerPeer;
  before(async () => {
    server = await startRtspServer({ h265: true });
  });
  after(() => server?.stop());

  for (const transport of ['tcp', 'udp'] as const) {
    test(`H.264 + AAC over ${transport}: access units with parameter sets, monotonic, on one timeline`, async () => {
      const events: ReaderEvent[] = [];
      const reader = createReader(
        { url: `${server.url('/test')}?transport=${transport}`, priority: 0 },
        { onEvent: (e) => events.push(e) },
      );
      await reader.open(new AbortController().signal);
      try {
        const got = await readUntil(
          reader,
          (p) => ofCodec(p, 'h264').length >= 75 && ofCodec(p, 'aac').length >= 75,
        );
        const video = ofCodec(got, 'h264');
        const audio = ofCodec(got, 'aac');
        assert.ok(video.length >= 75 && audio.length >= 75, `${video.length} video, ${audio.length} audio`);
        assert.ok(video[0]!.key, 'the first access unit is a keyframe');
        const first = h264NalTypes(video[0]!.data);
        assert.ok(first.includes(7) && first.includes(8) && first.includes(5), `NAL types ${first}`);
        assertMonotonic(video, 'video');
        assertMonotonic(audio, 'audio');
        assert.ok(
          audio.every((p) => p.data[0] === 0xff && (p.data[1]! & 0xf0) === 0xf0),
          'ADTS AAC frames',
        );
        // Both tracks come from one live pipeline: the newest of each must be close in time.
        const skewMs = Math.abs(video.at(-1)!.pts - audio.at(-1)!.pts) / TICKS_PER_MS;
        console.log(
          `# rtsp ${transport}: video ${video.length}, audio ${audio.length}, A/V skew ${skewMs.toFixed(1)} ms`,
        );
        // Within one video frame (33 ms) plus one AAC frame (23 ms): the newest of each is that far apart at most.
        assert.ok(skewMs < 60, `A/V skew ${skewMs} ms`);
        assert.deepEqual(reader.tracks.map((t) => t.codec).sort(), ['aac', 'h264']);
        assert.equal(reader.counters.dropped, 0, 'no loss on loopback');
        assert.ok(events.some((e) => e.type === 'tracks'));
      } finally {
        await reader.close();
      }
    });
  }

  test('H.265: access units with VPS/SPS/PPS in front of keyframes, monotonic DTS', async () => {
    const reader = createReader({ url: `${server.url('/h265')}?transport=tcp`, priority: 0 }, {});
    await reader.open(new AbortController().signal);
    try {
      const video = ofCodec(await readUntil(reader, (p) => ofCodec(p, 'h265').length >= 50), 'h265');
      assert.ok(video.length >= 50);
      assert.ok(video[0]!.key);
      assertMonotonic(video, 'h265');
    } finally {
      await reader.close();
    }
  });

  test('a wrong path is a permanent error that says so', async () => {
    const reader = createReader({ url: server.url('/nothing-here'), priority: 0 }, {});
    await assert.rejects(
      reader.open(new AbortController().signal),
      (error: unknown) => error instanceof ReaderError && !error.retriable && /404/.test(error.message),
    );
    await reader.close();
  });
});

test('Digest credentials from the URL work; wrong ones are a permanent error without the password', async () => {
  const server = await startRtspServer({ user: 'cam', password: 'right-password' });
  try {
    const good = createReader({ url: server.url('/test', 'cam:right-password'), priority: 0 }, {});
    await good.open(new AbortController().signal);
    const got = await readUntil(good, (p) => p.length >= 10);
    await good.close();
    assert.ok(got.length >= 10);

    const bad = createReader({ url: server.url('/test', 'cam:wrong-password'), priority: 0 }, {});
    await assert.rejects(bad.open(new AbortController().signal), (error: unknown) => {
      assert.ok(error instanceof ReaderError && !error.retriable, String(error));
      assert.match(error.message, /401/);
      assert.ok(!error.message.includes('wrong-password'), error.message);
      return true;
    });
    await bad.close();
  } finally {
    await server.stop();
  }
});
