import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AVPacket } from '../../src/avpacket.js';
import { PushReader } from '../../src/push/index.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import type { InputReader, ReaderInput } from '../../src/reader/reader-api.js';
import { createReader } from '../../src/sources/create-reader.js';
import { ffprobeCounts, makeTsFile, type ProbedStream } from '../support/media.js';
import {
  freeUdpPort,
  type HttpPeer,
  makeHlsRendition,
  makeTempDir,
  serveDirectory,
  spawnFfmpeg,
  startHttpServer,
  type TempDir,
} from '../support/peers.js';

// Every TS transport, built by createReader from its URL, yields the access units ffprobe counts.

let dir: TempDir;
let file: string;
let probed: ProbedStream[];
let web: HttpPeer;

before(async () => {
  dir = await makeTempDir();
  await mkdir(join(dir.path, 'movies'));
  file = await makeTsFile(join(dir.path, 'movies'), { seconds: 2, name: 'clip.ts' });
  probed = await ffprobeCounts(file);
  await mkdir(join(dir.path, 'hls'));
  await makeHlsRendition(file, join(dir.path, 'hls'));
  web = await startHttpServer(serveDirectory(dir.path));
});
after(async () => {
  await web.close();
  await dir.remove();
});

const input = (url: string, extra: Partial<ReaderInput> = {}): ReaderInput => ({
  url,
  priority: 0,
  ...extra,
});

/** Reads until end of stream, or until `stopWhen` resolves (then closes and drains the flush). */
async function readAll(reader: InputReader, stopWhen?: Promise<unknown>): Promise<AVPacket[]> {
  const packets: AVPacket[] = [];
  const reading = (async () => {
    for (let b = await reader.read(); b !== null; b = await reader.read()) packets.push(...b);
  })();
  if (stopWhen !== undefined) {
    await stopWhen;
    await reader.close();
  }
  await reading;
  await reader.close();
  return packets;
}

function assertCounts(packets: AVPacket[], expected: ProbedStream[], what: string): void {
  for (const s of expected) {
    const frames = packets.filter((p) => p.trackId === s.pid).length;
    assert.equal(frames, s.frames, `${what}: ${s.codec} frames`);
  }
}

/**
 * ffmpeg sends the fixture once to `target` and, through its tee muxer, a byte-identical copy to a
 * file (or, for RTP, to a capture socket) whose ffprobe counts are what the reader must yield.
 * rtp_mpegts sends whole 7-packet groups only, so its tail differs from the source file.
 */
async function sendOnce(format: string, target: string): Promise<ProbedStream[]> {
  const copy = join(dir.path, `sent-${Math.random().toString(36).slice(2)}.ts`);
  const capture = format === 'rtp_mpegts' ? await captureRtp(copy) : undefined;
  const second = capture ? `[f=rtp_mpegts]rtp\\://127.0.0.1\\:${capture.port}` : `[f=mpegts]${copy}`;
  const ffmpeg = spawnFfmpeg([
    '-i',
    file,
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'tee',
    `[f=${format}]${target.replaceAll(':', '\\:')}|${second}`,
  ]);
  try {
    assert.equal(await ffmpeg.exited, 0, ffmpeg.stderr());
  } finally {
    await ffmpeg.stop();
  }
  await capture?.close();
  return ffprobeCounts(copy);
}

/**
 * Resolves once `measure()` gave the same value twice in a row: between two timer callbacks the
 * event loop polls its sockets, so whatever the kernel already holds has been read by then.
 */
async function settled(measure: () => number): Promise<void> {
  let last = -1;
  for (let now = measure(); now !== last; now = measure()) {
    last = now;
    await sleep(50);
  }
}

/** A plain socket that writes the TS payloads of the RTP datagrams it receives to `path`. */
async function captureRtp(path: string) {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  const payloads: Buffer[] = [];
  socket.on('message', (d) => payloads.push(d.subarray(12)));
  let port = await freeUdpPort();
  socket.bind(port, '127.0.0.1');
  await once(socket, 'listening');
  port = socket.address().port;
  return {
    port,
    close: async () => {
      await settled(() => payloads.length);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await writeFile(path, Buffer.concat(payloads));
    },
  };
}

for (const [name, url, format, target] of [
  ['udp unicast', 'udp://127.0.0.1:PORT', 'mpegts', 'udp://127.0.0.1:PORT?pkt_size=1316'],
  [
    'udp multicast',
    'udp://239.255.7.7:PORT?iface=127.0.0.1',
    'mpegts',
    'udp://239.255.7.7:PORT?localaddr=127.0.0.1&ttl=1&pkt_size=1316',
  ],
  ['udp RTP', 'udp://127.0.0.1:PORT', 'rtp_mpegts', 'rtp://127.0.0.1:PORT'],
] as const) {
  test(`${name}: every access unit ffmpeg sent arrives`, async () => {
    const port = String(await freeUdpPort());
    const reader = createReader(input(url.replace('PORT', port)), {});
    await reader.open(new AbortController().signal);
    const sent = sendOnce(format, target.replace('PORT', port));
    const packets = await readAll(
      reader,
      sent.then(() => settled(() => reader.counters.bytes)),
    );
    assertCounts(packets, await sent, name);
    assert.ok(packets.length > 100);
    assert.equal(reader.counters.ccErrors, 0);
  });
}

test('http-ts: one GET of the file', async () => {
  const reader = createReader(input(web.url('/movies/clip.ts')), {});
  await reader.open(new AbortController().signal);
  assertCounts(await readAll(reader), probed, 'http-ts');
  assert.equal(reader.counters.bytes, (await readFile(file)).length);
});

test('hls: the segments ffmpeg cut, in order, then end of stream', async () => {
  const reader = createReader(input(web.url('/hls/vod.m3u8')), {});
  await reader.open(new AbortController().signal);
  assertCounts(await readAll(reader), probed, 'hls');
  assert.equal(reader.counters.ccErrors, 0);
});

test('file: through the VOD root, with program and PID filters applied', async () => {
  const all = createReader(input('file://movies/clip.ts?loop=false&pace=none'), { vodRoot: dir.path });
  await all.open(new AbortController().signal);
  assertCounts(await readAll(all), probed, 'file');
  const audio = probed.find((s) => s.codec === 'aac')!;
  const filtered = createReader(
    input('file://movies/clip.ts?loop=false&pace=none', { program: 1, pids: [0, 4096, audio.pid!] }),
    {
      vodRoot: dir.path,
    },
  );
  await filtered.open(new AbortController().signal);
  const packets = await readAll(filtered);
  assert.deepEqual([...new Set(packets.map((p) => p.trackId))], [audio.pid]);
  assert.equal(packets.length, audio.frames);
});

test('srt and rtmp URLs get their readers; nothing connects before open', () => {
  for (const url of ['srt://example.com:9000?streamid=x&latency=200', 'rtmp://example.com/live/key']) {
    const reader = createReader(input(url), {});
    assert.deepEqual(reader.tracks, [], url);
    assert.equal(reader.counters.bytes, 0, url);
  }
});

test('push URLs get a push reader where the relay is given, and subscribe only when opened', async () => {
  const subscribed: string[] = [];
  const push = {
    subject: 'tributary._push.ns.s',
    subscribe: (subject: string) => {
      subscribed.push(subject);
      return { unsubscribe() {} };
    },
  };
  for (const url of ['publish://', 'rtmp://0.0.0.0/live/enc1', 'srt://0.0.0.0:9000']) {
    const reader = createReader(input(url), { push });
    assert.ok(reader instanceof PushReader, url);
    assert.deepEqual(subscribed, [], url);
    const stop = new AbortController();
    const opening = reader.open(stop.signal);
    assert.deepEqual(subscribed, [push.subject], url);
    stop.abort();
    await assert.rejects(opening);
    subscribed.length = 0;
  }
});

test('URLs no reader takes: precise, permanent errors', () => {
  const cases: [string, RegExp][] = [
    ['publish://', /^publish:\/\/ is a push address/],
    ['rtmp://0.0.0.0/live/enc1', /is a push address/],
    ['srt://example.com:9000?latency=soon&passphrase=hunter2222', /latency=soon must be a whole number/],
    ['srt://example.com:9000?passphrase=short', /passphrase must be 10 to 79 characters/],
    ['rtmp://user:pw@example.com/app/key', /^rtmp: cannot use rtmp:\/\/example\.com\/\*\*\*/],
    ['rtsp://cam/stream?transport=quic', /transport/],
    ['copy://news', /^copy:\/\/news reads another Stream from NATS/],
    ['ftp://x/y.ts', /^cannot read input ftp:\/\/x\/y\.ts: the scheme "ftp" is not supported/],
    ['http://cdn/video.mp4', /^cannot read input .*neither a playlist nor a TS stream/],
    ['udp://example.com:5000', /must be an IP address to listen on/],
    ['file:///abs/x.ts', /^cannot read input .*names no mount/],
  ];
  for (const [url, rule] of cases) {
    assert.throws(
      () => createReader(input(url), {}),
      (err: unknown) => err instanceof ReaderError && !err.retriable && rule.test(err.message),
      url,
    );
  }
});
