import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { loadLibsrt } from '../../src/srt/libsrt.js';
import { sharedSrtEngine } from '../../src/srt/srt-engine.js';
import { createSrtReader, SrtReader } from '../../src/srt/srt-reader.js';
import { parseSrtUrl } from '../../src/srt/srt-url.js';
import { ffprobeCounts, makeTsFile, type ProbedStream } from '../support/media.js';
import { ffmpegLoop, freeUdpPort, makeTempDir, type TempDir } from '../support/peers.js';
import { ffmpegSrtListener, LIBSRT_1_5_1_STATS_OFFSETS, spawnPeer } from '../support/srt-peers.js';

// Our caller against real SRT listeners: ffmpeg and srt-live-transmit.

let dir: TempDir;
let h264: string;
let hevc: string;
before(async () => {
  dir = await makeTempDir();
  h264 = await makeTsFile(dir.path, { video: 'h264-bframes', audio: 'aac', seconds: 3 });
  hevc = await makeTsFile(dir.path, { video: 'h265', audio: 'aac', seconds: 2 });
});
after(() => dir.remove());

/** A connect waits this long for a listener that is still starting (libsrt repeats the handshake). */
const PATIENT = 'conntimeo=15000';

async function openReader(url: string): Promise<SrtReader> {
  const reader = new SrtReader(parseSrtUrl(url));
  await reader.open(new AbortController().signal);
  return reader;
}

/** Reads until the peer ends the session (the retriable error), returning every packet. */
async function readSession(reader: SrtReader): Promise<{ packets: AVPacket[]; end: unknown }> {
  const packets: AVPacket[] = [];
  try {
    for (;;) {
      const batch = await reader.read();
      if (batch === null) return { packets, end: null };
      packets.push(...batch);
    }
  } catch (end) {
    return { packets, end };
  }
}

function assertAllFrames(packets: AVPacket[], probed: ProbedStream[]): void {
  for (const stream of probed) {
    const track = packets.filter((p) => p.trackId === stream.pid);
    assert.equal(track.length, stream.frames, `${stream.codec} on PID ${stream.pid}`);
    if (stream.codec !== 'aac') {
      assert.equal(track.filter((p) => p.key).length, stream.keyframes, `${stream.codec} keyframes`);
    }
    for (let i = 1; i < track.length; i++) {
      assert.ok((track[i]?.dts ?? 0) > (track[i - 1]?.dts ?? 0), `${stream.codec} DTS rises at ${i}`);
    }
  }
}

for (const [name, file] of [
  ['H.264 with B-frames + AAC', () => h264],
  ['HEVC + AAC', () => hevc],
] as const) {
  test(`ffmpeg listener, ${name}: every frame ffprobe counts arrives, DTS rising per track`, async () => {
    const probed = await ffprobeCounts(file());
    const port = await freeUdpPort();
    const sender = ffmpegSrtListener(file(), port);
    try {
      const reader = await openReader(`srt://127.0.0.1:${port}?${PATIENT}`);
      const { packets, end } = await readSession(reader);
      await reader.close();
      assert.ok(end instanceof ReaderError && end.retriable, `session end: ${String(end)}`);
      assert.match(end.message, /closed by the peer/);
      assertAllFrames(packets, probed);
      assert.equal(reader.counters.ccErrors, 0);
      assert.equal(reader.counters.dropped, 0);
      assert.equal(await sender.exited, 0, sender.stderr());
    } finally {
      await sender.stop();
    }
  });
}

test('linkStats: present and plausible; the struct offsets are those of libsrt 1.5.1', async () => {
  const lib = loadLibsrt();
  lib.cleanup();
  assert.deepEqual(lib.statsOffsets, LIBSRT_1_5_1_STATS_OFFSETS);
  const port = await freeUdpPort();
  const sender = ffmpegSrtListener(h264, port, { loop: true });
  const reader = createSrtReader({ url: `srt://127.0.0.1:${port}?${PATIENT}`, priority: 0 }, {});
  try {
    const beforeOpen = reader.linkStats;
    assert.equal(beforeOpen, undefined, 'no stats before a connection');
    await reader.open(new AbortController().signal);
    let packets = 0;
    while (!((reader.linkStats?.packetsReceived ?? 0) > 50 && packets > 0)) {
      packets += (await reader.read())?.length ?? 0;
    }
    const stats = reader.linkStats;
    assert.ok(stats !== undefined);
    assert.ok(stats.rttMs >= 0 && stats.rttMs < 1000, `rtt ${stats.rttMs}`);
    assert.equal(stats.latencyMs, 120);
    assert.equal(stats.packetsLost, 0);
    assert.equal(stats.packetsDropped, 0);
    assert.ok(stats.receiveBufferMs >= 0 && stats.receiveBufferMs <= 1000);
    assert.ok(stats.bandwidthMbps >= 0 && stats.receiveRateMbps >= 0);
  } finally {
    await reader.close();
    await sender.stop();
  }
});

test('IPv6: a caller to [::1]', async () => {
  const port = await freeUdpPort(6);
  const sender = ffmpegSrtListener(h264, port, { host: '[::1]', loop: true });
  try {
    const reader = await openReader(`srt://[::1]:${port}?${PATIENT}`);
    const packets = await reader.read();
    await reader.close();
    assert.ok((packets?.length ?? 0) > 0);
  } finally {
    await sender.stop();
  }
});

/** srt-live-transmit relaying ffmpeg's UDP output to an SRT listener. */
async function relay(query: string) {
  const udpPort = await freeUdpPort();
  const srtPort = await freeUdpPort();
  const transmit = spawnPeer('srt-live-transmit', [
    '-q',
    `udp://127.0.0.1:${udpPort}`,
    `srt://127.0.0.1:${srtPort}?mode=listener${query}`,
  ]);
  const feed = ffmpegLoop(h264, [
    '-f',
    'mpegts',
    '-flush_packets',
    '0',
    `udp://127.0.0.1:${udpPort}?pkt_size=1316`,
  ]);
  return { srtPort, stop: () => Promise.all([transmit.stop(), feed.stop()]) };
}

for (const passphrase of [undefined, 'relay-passphrase-1']) {
  test(`srt-live-transmit listener ${passphrase ? 'with' : 'without'} a passphrase: video and audio arrive`, async () => {
    const query = passphrase ? `&passphrase=${passphrase}&pbkeylen=16` : '';
    const peer = await relay(query);
    try {
      const reader = await openReader(`srt://127.0.0.1:${peer.srtPort}?${PATIENT}${query}`);
      const codecs = new Set<string>();
      while (codecs.size < 2) for (const p of (await reader.read()) ?? []) codecs.add(p.codec);
      await reader.close();
      assert.deepEqual([...codecs].sort(), ['aac', 'h264']);
      assert.equal(reader.counters.ccErrors, 0);
    } finally {
      await peer.stop();
    }
  });
}

test('wrong or missing passphrase: named reject reasons, permanent errors', async () => {
  const peer = await relay('&passphrase=relay-passphrase-1');
  try {
    const attempt = async (query: string) => {
      const reader = new SrtReader(parseSrtUrl(`srt://127.0.0.1:${peer.srtPort}?${PATIENT}${query}`));
      const error = await reader.open(new AbortController().signal).then(
        () => undefined,
        (err: unknown) => err,
      );
      await reader.close();
      return error;
    };
    const wrong = await attempt('&passphrase=not-the-passphrase');
    assert.ok(wrong instanceof ReaderError, String(wrong));
    assert.match(wrong.message, /bad passphrase.*SRT_REJ_BADSECRET/);
    assert.equal(wrong.retriable, false);
    const missing = await attempt('');
    assert.ok(missing instanceof ReaderError, String(missing));
    assert.match(missing.message, /SRT_REJ_UNSECURE/);
    assert.equal(missing.retriable, false);
  } finally {
    await peer.stop();
  }
});

test('nothing listening: SRT_REJ_TIMEOUT after conntimeo, retriable', async () => {
  const port = await freeUdpPort();
  const reader = new SrtReader(parseSrtUrl(`srt://127.0.0.1:${port}?conntimeo=300`));
  const started = Date.now();
  await assert.rejects(
    reader.open(new AbortController().signal),
    (err: unknown) => err instanceof ReaderError && err.retriable && /SRT_REJ_TIMEOUT/.test(err.message),
  );
  assert.ok(Date.now() - started >= 250, 'waited for the connect timeout');
  await reader.close();
});

test('abort while connecting: open settles at once, the socket is closed', async () => {
  const port = await freeUdpPort();
  const reader = new SrtReader(parseSrtUrl(`srt://127.0.0.1:${port}?conntimeo=20000`));
  const controller = new AbortController();
  const opening = reader.open(controller.signal);
  const started = Date.now();
  controller.abort();
  await assert.rejects(
    opening,
    (err: unknown) => err instanceof ReaderError && /cancelled/.test(err.message),
  );
  assert.ok(Date.now() - started < 2000);
  assert.equal(sharedSrtEngine().openSockets, 0);
});
