import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { FLV_TRACK_ID } from '../../../src/flv/flv-api.js';
import { FLV_TAG } from '../../../src/flv/flv-tag.js';
import type { FakePublisher } from '../../support/fake-push-gate.js';
import { ffprobeCounts, LIVE_H264_AAC, type ProbedStream } from '../../support/media.js';
import { type FfmpegProcess, makeTempDir, spawnFfmpeg, type TempDir, waitFor } from '../../support/peers.js';
import { makeFlvFile } from '../../support/rtmp-peers.js';
import { type Harness, startHarness } from './harness.js';
import { convertTags, decodeFlvRecords } from './relayed-records.js';

// One server shared by most cases, ffmpeg as the encoder. Keys are distinctive so that a log line
// repeating one would be caught.
const KEYS = { news: 'k3y-news-7f3a', cam: 'k3y-cam-91c2', studio: 'k3y-studio-5d0e' };
const ROUTES = { 'ns/news': KEYS.news, 'ns/live-cam': KEYS.cam, 'studio/cam': KEYS.studio };

let dir: TempDir;
let flv: string;
let probed: ProbedStream[];
let h: Harness;
const peers: FfmpegProcess[] = [];

function publishFile(path: string): FfmpegProcess {
  const p = spawnFfmpeg(['-i', flv, '-c', 'copy', '-f', 'flv', h.url(path)]);
  peers.push(p);
  return p;
}

function publishLive(path: string): FfmpegProcess {
  const p = spawnFfmpeg([...LIVE_H264_AAC, '-f', 'flv', h.url(path)]);
  peers.push(p);
  return p;
}

async function admitted(route: string, after = 0): Promise<FakePublisher> {
  await waitFor(() => {
    const p = h.gate.publisherOf(route);
    return p !== undefined && p.session > after && p.relayedBytes > 0;
  }, `a publisher relaying on ${route}`);
  return h.gate.publisherOf(route)!;
}

before(async () => {
  dir = await makeTempDir();
  flv = await makeFlvFile(dir.path, { seconds: 5, bframes: true });
  probed = await ffprobeCounts(flv);
  h = await startHarness(ROUTES);
});
after(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  await h?.stop();
  await dir?.remove();
});

test('an admitted publisher: the relayed records convert to every frame of the source, in order', async () => {
  const before = h.gate.publishers.length;
  const ffmpeg = publishFile(`ns/news?key=${KEYS.news}`);
  assert.equal(await ffmpeg.exited, 0, ffmpeg.stderr());
  await waitFor(
    () => h.gate.publishers.length > before && h.gate.publishers.at(-1)!.ended,
    'the publisher to end',
  );
  const publisher = h.gate.publishers.at(-1)!;
  assert.equal(publisher.route, 'ns/news');
  assert.equal(publisher.endReason, 'publisher disconnected');
  assert.equal(publisher.endCalls, 1);
  const attempt = publisher.attempt;
  assert.equal(attempt.protocol, 'rtmp');
  assert.equal(attempt.key, KEYS.news);
  assert.match(attempt.peer, /^127\.0\.0\.1:\d+$/);

  const tags = decodeFlvRecords(publisher.chunks);
  assert.equal(tags[0]?.type, FLV_TAG.script, 'onMetaData first');
  const { packets, converter } = convertTags(tags);
  const video = packets.filter((p) => p.trackId === FLV_TRACK_ID.video);
  const audio = packets.filter((p) => p.trackId === FLV_TRACK_ID.audio);
  const source = (codec: string) => probed.find((s) => s.codec === codec)!;
  assert.equal(video.length, source('h264').frames);
  assert.equal(video.filter((p) => p.key).length, source('h264').keyframes);
  assert.equal(audio.length, source('aac').frames);
  assert.equal(converter.stats.malformed, 0);
  for (const track of [video, audio]) {
    for (let i = 1; i < track.length; i++)
      assert.ok(track[i]!.dts >= track[i - 1]!.dts, `dts ${i} monotonic`);
  }
  const last = new Map<number, number>();
  for (const tag of tags) {
    assert.ok(tag.timestamp >= (last.get(tag.type) ?? 0), `type ${tag.type} record timestamps never go back`);
    last.set(tag.type, tag.timestamp);
  }
  // Both sequence headers come again right before every keyframe after the first.
  const keyframeAt = tags.flatMap((t, i) =>
    t.type === FLV_TAG.video && t.data[0]! >> 4 === 1 && t.data[1] === 1 ? [i] : [],
  );
  assert.equal(keyframeAt.length, source('h264').keyframes);
  for (const i of keyframeAt.slice(1)) {
    assert.deepEqual(
      [tags[i - 2]!.type, tags[i - 2]!.data[1], tags[i - 1]!.type, tags[i - 1]!.data[1]],
      [FLV_TAG.video, 0, FLV_TAG.audio, 0],
      `headers before the keyframe at record ${i}`,
    );
  }
  await waitFor(() => h.server.publishers === 0, 'the listener to count no publisher');
});

test('refused publishers: ffmpeg fails, nothing is relayed, the reason is recorded; a live publisher is unaffected', async () => {
  publishLive(`ns/live-cam?key=${KEYS.cam}`);
  const live = await admitted('ns/live-cam');
  const publishersBefore = h.gate.publishers.length;
  const refusalsBefore = h.gate.refusals.length;

  const cases = [
    { path: `ns/news?key=wrong-${KEYS.news}`, reason: 'bad-key', route: 'ns/news', detail: /wrong/ },
    { path: 'ns/news', reason: 'bad-key', route: 'ns/news', detail: /no publish key/ },
    {
      path: `ns/nothing-here?key=${KEYS.news}`,
      reason: 'not-found',
      route: 'ns/nothing-here',
      detail: /registered/,
    },
    { path: 'ns', reason: 'malformed', detail: /stream name "" is not a Stream name/ },
    {
      path: `ns/extra/news?key=${KEYS.news}`,
      reason: 'malformed',
      detail: /app "ns\/extra" is not a namespace/,
    },
    { path: `Bad_NS/news?key=${KEYS.news}`, reason: 'malformed', detail: /app "Bad_NS" is not a namespace/ },
  ] as const;
  const runs = cases.map((c) => publishFile(c.path));
  const codes = await Promise.all(runs.map((r) => r.exited));
  codes.forEach((code, i) => {
    assert.notEqual(code, 0, `${cases[i]!.path}: ffmpeg exits with an error`);
    assert.match(runs[i]!.stderr(), /publish refused/, `${cases[i]!.path}: the encoder is told`);
  });

  assert.equal(h.gate.publishers.length, publishersBefore, 'nobody admitted');
  const refusals = h.gate.refusals.slice(refusalsBefore);
  assert.equal(refusals.length, cases.length);
  for (const c of cases) {
    const found = refusals.find((r) => r.reason === c.reason && c.detail.test(r.detail));
    assert.ok(found, `refusal ${c.reason} for ${c.path}`);
    if ('route' in c) assert.equal(found.route, c.route);
    assert.equal(found.via, c.reason === 'malformed' ? 'refused' : 'admit');
  }
  const noKey = h.gate.attempts.find((a) => a.route === 'ns/news' && a.key === undefined);
  assert.ok(noKey, 'a missing key reaches the gate as undefined');

  const bytes = live.relayedBytes;
  await waitFor(() => live.relayedBytes > bytes + 10_000, 'the live publisher to keep relaying');
  assert.equal(live.ended, false);
  for (const line of h.logLines) {
    for (const key of Object.values(KEYS))
      assert.ok(!line.includes(key), `a log line repeats a key: ${line}`);
  }
});

test('the live/ app reaches the one namespace that has the stream', async () => {
  const ffmpeg = publishFile(`live/cam?key=${KEYS.studio}`);
  assert.equal(await ffmpeg.exited, 0, ffmpeg.stderr());
  const publisher = h.gate.publisherOf('studio/cam');
  assert.ok(publisher, 'admitted as studio/cam');
  assert.ok(publisher.relayedBytes > 0);
});

test('an encoder that vanishes ends its publisher within a couple of seconds', async () => {
  const previous = h.gate.publisherOf('ns/news')?.session ?? 0;
  const ffmpeg = publishLive(`ns/news?key=${KEYS.news}`);
  const publisher = await admitted('ns/news', previous);
  process.kill(ffmpeg.pid, 'SIGKILL');
  await ffmpeg.exited;
  const killed = Date.now();
  await waitFor(() => publisher.ended, 'end() after the encoder was killed', 3000);
  assert.ok(Date.now() - killed < 3000);
  assert.equal(publisher.endReason, 'publisher disconnected');
  assert.equal(publisher.endCalls, 1);
});

test('a revoked publisher is disconnected', async () => {
  const previous = h.gate.publisherOf('ns/news')?.session ?? 0;
  const ffmpeg = publishLive(`ns/news?key=${KEYS.news}`);
  const publisher = await admitted('ns/news', previous);
  let code: number | null | undefined;
  void ffmpeg.exited.then((c) => {
    code = c;
  });
  publisher.revoke('stream deleted');
  await waitFor(() => code !== undefined, 'ffmpeg to exit', 10_000);
  assert.notEqual(code, 0, 'ffmpeg fails once the listener hangs up');
  assert.equal(publisher.endReason, 'stream deleted');
  await waitFor(() => h.server.publishers <= 1, 'only the live-cam publisher left');
});

test('play is refused as forbidden', async () => {
  const before = h.gate.refusals.length;
  const player = spawnFfmpeg(['-i', h.url('ns/live-cam'), '-t', '1', '-f', 'null', '-']);
  peers.push(player);
  assert.notEqual(await player.exited, 0);
  assert.deepEqual(
    h.gate.refusals.slice(before).map((r) => [r.reason, r.via]),
    [['forbidden', 'refused']],
  );
});

test('a connection that never publishes is closed after idleTimeoutMs and counted idle', async () => {
  const idle = await startHarness(ROUTES, { idleTimeoutMs: 300 });
  try {
    const bare = net.connect(idle.server.port, '127.0.0.1');
    bare.on('error', () => undefined);
    bare.resume();
    await once(bare, 'connect');
    const opened = Date.now();
    const handshakeOnly = net.connect(idle.server.port, '127.0.0.1');
    handshakeOnly.on('error', () => undefined);
    await once(handshakeOnly, 'connect');
    handshakeOnly.write(Buffer.concat([Buffer.of(3), Buffer.alloc(1536, 7)]));
    await once(handshakeOnly, 'data'); // S0 S1 S2
    handshakeOnly.write(Buffer.alloc(1536, 9)); // C2
    handshakeOnly.resume();
    await Promise.all([once(bare, 'close'), once(handshakeOnly, 'close')]);
    assert.ok(Date.now() - opened >= 250, 'not before the timeout');
    await waitFor(() => idle.gate.refusals.length === 2, 'two idle refusals');
    assert.deepEqual(
      idle.gate.refusals.map((r) => r.reason),
      ['idle', 'idle'],
    );
  } finally {
    await idle.stop();
  }
});

test('draining: stopAccepting refuses new connections, close ends publishers with "listener draining"', async () => {
  const own = await startHarness(ROUTES);
  try {
    const ffmpeg = spawnFfmpeg([...LIVE_H264_AAC, '-f', 'flv', own.url(`ns/news?key=${KEYS.news}`)]);
    peers.push(ffmpeg);
    await waitFor(() => (own.gate.publisherOf('ns/news')?.relayedBytes ?? 0) > 0, 'a publisher relaying');
    const publisher = own.gate.publisherOf('ns/news')!;
    assert.equal(own.server.publishers, 1);
    own.server.stopAccepting();
    const refused = net.connect(own.server.port, '127.0.0.1');
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(error.code, 'ECONNREFUSED');
    const bytes = publisher.relayedBytes;
    await waitFor(() => publisher.relayedBytes > bytes, 'the admitted publisher to keep relaying');
    await own.server.close();
    assert.equal(publisher.endReason, 'listener draining');
    assert.equal(publisher.endCalls, 1);
    assert.equal(own.server.publishers, 0);
    assert.notEqual(await ffmpeg.exited, 0);
  } finally {
    await own.stop();
  }
});
