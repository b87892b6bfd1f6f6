// Push ingest end to end on the harness cluster: two push-listener replicas, the operator, real
// ingest pods, real NATS (the chart's version) and ffmpeg as the encoders. examples/push-with-backup.yaml
// runs as written, with only its UDP backup pointed at a local ffmpeg.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { registryBuckets, registryKvKey, subjects } from '@tributary/crds';
import {
  ffprobeCounts,
  LIVE_H264_AAC,
  makeTsFile,
  type ProbedStream,
} from '../../ingest-pod/test/support/media.js';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import {
  type FfmpegProcess,
  freeUdpPort,
  makeTempDir,
  spawnFfmpeg,
  type TempDir,
  waitFor,
} from '../../ingest-pod/test/support/peers.js';
import { makeFlvFile } from '../../ingest-pod/test/support/rtmp-peers.js';
import { REPO_ROOT } from '../../tools/cluster/binaries.js';
import type { Cluster } from '../../tools/cluster/index.js';
import { tributaryImages } from '../../tools/cluster/local-images.js';
import {
  createStreamNamespace,
  deleteStream,
  liveUdpSource,
  type OperatorProcess,
  readStream,
  startOperator,
  startOperatorCluster,
  waitForStream,
} from './operator-harness.js';
import {
  avCounter,
  type ListenerReplica,
  makeSealingKey,
  metricSum,
  reconnectingEncoder,
  rtmpPublisher,
  startListenerReplica,
} from './push-support.js';

const INGEST_IMAGE = 'ghcr.io/tributary/ingest-pod:e2e';
const CAM_KEY = 'cam-publish-key-0123456789';
const EXAMPLE = join(REPO_ROOT, 'examples/push-with-backup.yaml');

/** Every video and audio frame ffprobe counted in the source arrived, in one session, in DTS order. */
async function expectEveryFrame(av: ReturnType<typeof avCounter>, probed: ProbedStream[]): Promise<void> {
  const videoFrames = probed.find((s) => s.codec === 'h264')?.frames ?? 0;
  const audioFrames = probed.find((s) => s.codec === 'aac')?.frames ?? 0;
  const session = () => av.sessions.get(av.order.at(-1) ?? -1);
  await waitFor(
    () => (session()?.video ?? 0) >= videoFrames && (session()?.audio ?? 0) >= audioFrames,
    `all ${videoFrames} video and ${audioFrames} audio frames on NATS`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; got ${JSON.stringify(session())}`);
  });
  assert.equal(av.order.length, 1, 'one publisher session');
  assert.equal(session()?.video, videoFrames);
  assert.equal(session()?.audio, audioFrames);
  assert.equal(session()?.backwards, 0, 'video DTS never goes back');
}

describe('push-listener: encoders publish to two replicas', () => {
  let dir: TempDir;
  let cluster: Cluster;
  let nats: NatsServer;
  let nc: NatsConnection;
  let operator: OperatorProcess;
  let a: ListenerReplica;
  let b: ListenerReplica;
  let ns: string;
  let flv: string;
  let udpBackup: FfmpegProcess;
  let studioKey: string;
  let studioPassphrase: string;
  const cleanups: (() => Promise<void>)[] = [];

  const routeOf = async (stream: string) => {
    const kv = await new Kvm(nc).open(registryBuckets().routes);
    const entry = await kv.get(registryKvKey(ns, stream));
    return entry?.operation === 'PUT' ? entry : null;
  };
  const camUrl = (replica: ListenerReplica, key = CAM_KEY, stream = 'cam') =>
    `rtmp://127.0.0.1:${replica.rtmpPort}/${ns}/${stream}?key=${key}`;
  // ffmpeg passes the stream id on raw (no %-decoding), so it goes into the URL as it is.
  const studioSrt = (streamId: string, passphrase = studioPassphrase) =>
    `streamid=${streamId}&passphrase=${passphrase}`;
  const liveSrt = (replica: ListenerReplica, query: string) =>
    spawnFfmpeg([
      ...LIVE_H264_AAC,
      ...[
        '-f',
        'mpegts',
        `srt://127.0.0.1:${replica.srtPort}?mode=caller&latency=120000&pkt_size=1316&${query}`,
      ],
    ]);

  before(async () => {
    dir = await makeTempDir('tributary-push-e2e-');
    const keyFile = join(dir.path, 'sealing-key.pem');
    makeSealingKey(keyFile);
    flv = await makeFlvFile(dir.path, { seconds: 6 });
    nats = await startNats({ jetstream: true, server: 'chart' });
    nc = await connect({ servers: nats.url });
    [a, b] = await Promise.all([
      startListenerReplica({ name: 'listener-a', natsUrl: nats.url, sealingKeyFile: keyFile }),
      startListenerReplica({ name: 'listener-b', natsUrl: nats.url, sealingKeyFile: keyFile }),
    ]);
    let kubeconfig: string;
    ({ cluster, kubeconfig } = await startOperatorCluster({ images: tributaryImages() }));
    ns = await createStreamNamespace(cluster);
    operator = await startOperator(kubeconfig, 'op-push', [
      ...['--nats-url', nats.url, '--ingest-image', INGEST_IMAGE, '--status-interval', '1s'],
      ...['--push-key-file', keyFile],
      ...[
        '--push-rtmp-url',
        `rtmp://127.0.0.1:${a.rtmpPort}`,
        '--push-srt-url',
        `srt://127.0.0.1:${a.srtPort}`,
      ],
    ]);
    await cluster.apply(
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: cam-push}',
        `stringData: {publish-key: ${CAM_KEY}}`,
        '---',
        'apiVersion: tributary.io/v1alpha1',
        'kind: Stream',
        'metadata: {name: cam}',
        'spec:',
        '  inputs:',
        '    - url: publish://',
        '      publishKeySecretRef: {name: cam-push, key: publish-key}',
      ].join('\n'),
      { namespace: ns },
    );
    const udpPort = await freeUdpPort();
    const example = readFileSync(EXAMPLE, 'utf8');
    const manifest = example.replace('udp://239.3.3.3:5000', `udp://127.0.0.1:${udpPort}`);
    assert.notEqual(manifest, example);
    studioKey = /publish-key: (\S+)/.exec(example)?.[1] ?? '';
    studioPassphrase = /srt-passphrase: (\S+)/.exec(example)?.[1] ?? '';
    assert.ok(studioKey && studioPassphrase, 'the example keeps its key and passphrase in the Secret');
    udpBackup = liveUdpSource(udpPort);
    await cluster.apply(manifest, { namespace: ns });
    await waitFor(async () => (await routeOf('cam')) !== null, 'the cam route to be registered', 120_000);
    await waitFor(
      async () => (await routeOf('studio')) !== null,
      'the studio route to be registered',
      120_000,
    );
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await udpBackup?.stop();
    await a?.stop();
    await b?.stop();
    await operator?.stop();
    await cluster?.stop();
    await nc?.close();
    await nats?.stop();
    await dir?.remove();
  });

  test('RTMP: server URL + stream key reaches Live and every frame ffprobe counts arrives on NATS', async () => {
    const probed = await ffprobeCounts(flv);
    const av = avCounter(nc, subjects(undefined, ns, 'cam').av);
    cleanups.push(async () => av.stop());
    const encoder = rtmpPublisher(flv, camUrl(a));
    await waitForStream(cluster, ns, 'cam', (s) => s.status?.phase === 'Live', 'Live on the RTMP publisher');
    assert.equal(await encoder.exited, 0, `ffmpeg published the whole file: ${encoder.stderr()}`);
    await expectEveryFrame(av, probed);
    const stream = await readStream(cluster, ns, 'cam');
    assert.match(JSON.stringify(stream?.status?.pushEndpoints), new RegExp(`127\\.0\\.0\\.1:${a.rtmpPort}`));
    assert.doesNotMatch(JSON.stringify(stream?.status), new RegExp(CAM_KEY), 'the key is never shown');
  });

  test('SRT: with the publish key as passphrase, every frame ffprobe counts arrives on NATS', async () => {
    const ts = await makeTsFile(dir.path, { seconds: 6, name: 'srt-source.ts' });
    const probed = await ffprobeCounts(ts);
    const av = avCounter(nc, subjects(undefined, ns, 'cam').av);
    cleanups.push(async () => av.stop());
    // linger=3: ffmpeg waits for the tail to be acknowledged before it closes. latency=1 s (in µs):
    // SRT drops what arrives later than its latency, and a loaded test machine can hold a packet
    // up past the usual 120 ms (CI lost 6 of 150 frames that way); every frame must arrive here.
    const url = `srt://127.0.0.1:${b.srtPort}?mode=caller&latency=1000000&pkt_size=1316&linger=3&streamid=publish:${ns}/cam&passphrase=${CAM_KEY}`;
    const encoder = spawnFfmpeg(['-re', '-i', ts, '-map', '0', '-c', 'copy', '-f', 'mpegts', url]);
    assert.equal(await encoder.exited, 0, `ffmpeg published the whole file: ${encoder.stderr()}`);
    await expectEveryFrame(av, probed);
  });

  test('SRT: the push primary takes over from the UDP backup, each stream id shape works', async () => {
    await waitForStream(
      cluster,
      ns,
      'studio',
      (s) => s.status?.activeInput === 1,
      'on the UDP backup at first',
    );
    const shapes = [`#!::r=${ns}/studio,m=publish`, `${ns}/studio`, `publish:${ns}/studio`];
    const first = liveSrt(b, studioSrt(shapes[0]!));
    cleanups.push(() => first.stop());
    await waitForStream(
      cluster,
      ns,
      'studio',
      (s) => s.status?.activeInput === 0 && s.status.phase === 'Live',
      'back on the pushed primary after the hold-down',
      90_000,
    );
    await first.stop();
    await waitForStream(
      cluster,
      ns,
      'studio',
      (s) => s.status?.activeInput === 1,
      'failed over to UDP',
      30_000,
    );
    for (const shape of shapes.slice(1)) {
      const before = metricSum(await b.metrics(), 'tributary_push_accepted_total', { protocol: 'srt' });
      const encoder = liveSrt(b, studioSrt(shape));
      await waitFor(
        async () =>
          metricSum(await b.metrics(), 'tributary_push_accepted_total', { protocol: 'srt' }) > before,
        `stream id ${shape} to be accepted`,
      );
      await encoder.stop();
      await waitFor(
        async () => metricSum(await b.metrics(), 'tributary_push_publishers', { protocol: 'srt' }) === 0,
        'the publisher to be gone',
      );
    }
    // The SRT endpoint the Stream shows works as written (it points at replica a).
    const shown = (await readStream(cluster, ns, 'studio'))?.status?.pushEndpoints?.srt ?? '';
    assert.match(shown, new RegExp(`^srt://127\\.0\\.0\\.1:${a.srtPort}\\?streamid=`));
    const acceptedBefore = metricSum(await a.metrics(), 'tributary_push_accepted_total', { protocol: 'srt' });
    const fromStatus = spawnFfmpeg([
      ...LIVE_H264_AAC,
      ...['-f', 'mpegts', `${shown}&passphrase=${studioPassphrase}&latency=120000&pkt_size=1316`],
    ]);
    await waitFor(
      async () =>
        metricSum(await a.metrics(), 'tributary_push_accepted_total', { protocol: 'srt' }) > acceptedBefore,
      `a publisher using the status endpoint ${shown} to be accepted`,
    );
    await fromStatus.stop();
    await waitFor(
      async () => metricSum(await a.metrics(), 'tributary_push_publishers', { protocol: 'srt' }) === 0,
      'that publisher to be gone',
    );
  });

  test('a second publisher on the other replica is refused; the first keeps streaming', async () => {
    const av = avCounter(nc, subjects(undefined, ns, 'studio').av);
    cleanups.push(async () => av.stop());
    const incumbent = liveSrt(b, studioSrt(`#!::r=${ns}/studio,m=publish`));
    cleanups.push(() => incumbent.stop());
    const live = await waitForStream(
      cluster,
      ns,
      'studio',
      (s) => s.status?.activeInput === 0 && s.status.phase === 'Live',
      'on the pushed primary',
      90_000,
    );
    const switches = live.status?.switches?.length ?? 0;
    const sessionsBefore = av.order.length;
    const counted = av.total();

    const refusedBefore = metricSum(await a.metrics(), 'tributary_push_rejections_total', {
      reason: 'conflict',
    });
    const intruder = liveSrt(a, studioSrt(`#!::r=${ns}/studio,m=publish`));
    assert.notEqual(await intruder.exited, 0, 'the second SRT publisher is refused');
    const rtmpIntruder = rtmpPublisher(flv, `rtmp://127.0.0.1:${a.rtmpPort}/${ns}/studio?key=${studioKey}`);
    assert.notEqual(await rtmpIntruder.exited, 0, 'a second RTMP publisher is refused as well');
    assert.ok(
      metricSum(await a.metrics(), 'tributary_push_rejections_total', { reason: 'conflict' }) >=
        refusedBefore + 2,
      'both refusals counted as conflict',
    );
    await waitFor(() => av.total() > counted + 100, 'the incumbent to keep streaming');
    assert.equal(av.order.length, sessionsBefore, 'no new session: the incumbent was never interrupted');
    const after = await readStream(cluster, ns, 'studio');
    assert.equal(after?.status?.switches?.length ?? 0, switches, 'no input switch');
    assert.equal(after?.status?.activeInput, 0);
  });

  test('wrong key, wrong passphrase, unknown stream and malformed addresses are refused with a reason', async () => {
    const reasons = async () => ({
      badKey: metricSum(await a.metrics(), 'tributary_push_rejections_total', { reason: 'bad-key' }),
      notFound: metricSum(await a.metrics(), 'tributary_push_rejections_total', { reason: 'not-found' }),
      malformed: metricSum(await a.metrics(), 'tributary_push_rejections_total', { reason: 'malformed' }),
    });
    const start = await reasons();
    const studio = await readStream(cluster, ns, 'studio');
    const attempts = [
      rtmpPublisher(flv, camUrl(a, 'wrong-key')),
      rtmpPublisher(flv, `rtmp://127.0.0.1:${a.rtmpPort}/${ns}/cam`),
      rtmpPublisher(flv, camUrl(a, CAM_KEY, 'nosuchstream')),
      rtmpPublisher(flv, `rtmp://127.0.0.1:${a.rtmpPort}/just-one-segment`),
      liveSrt(a, studioSrt(`#!::r=${ns}/studio,m=publish`, 'wrong-passphrase-123')),
      liveSrt(a, studioSrt(`#!::r=${ns}/nosuchstream,m=publish`)),
      liveSrt(a, studioSrt('#!::m=publish')),
    ];
    const codes = await Promise.all(attempts.map((p) => p.exited));
    for (const [i, code] of codes.entries()) assert.notEqual(code, 0, `attempt ${i} refused`);
    const end = await reasons();
    const counted = `before ${JSON.stringify(start)}, after ${JSON.stringify(end)}`;
    assert.ok(end.badKey >= start.badKey + 2, `wrong and missing key counted as bad-key: ${counted}`);
    assert.ok(end.notFound >= start.notFound + 2, `unknown streams counted as not-found: ${counted}`);
    assert.ok(end.malformed >= start.malformed + 1, `a malformed address counted: ${counted}`);
    const logged = a.logs.filter((l) => typeof l.reason === 'string').map((l) => l.reason);
    assert.ok(
      logged.includes('bad-key') && logged.includes('not-found'),
      `reasons logged: ${logged.join(', ')}`,
    );
    assert.doesNotMatch(
      JSON.stringify(a.logs),
      /wrong-key|wrong-passphrase|cam-publish-key/,
      'no secret logged',
    );
    const after = await readStream(cluster, ns, 'studio');
    assert.equal(after?.status?.switches?.length, studio?.status?.switches?.length, 'no Stream disturbed');
  });

  test('killing the replica that holds a publisher: the encoder reconnects to the other, Live again', async () => {
    const replicas = [a, b];
    const encoder = reconnectingEncoder((attempt) =>
      rtmpPublisher(flv, camUrl(replicas[attempt % 2]!), true),
    );
    cleanups.push(() => encoder.stop());
    await waitForStream(cluster, ns, 'cam', (s) => s.status?.phase === 'Live', 'Live through replica a');
    const av = avCounter(nc, subjects(undefined, ns, 'cam').av);
    cleanups.push(async () => av.stop());
    await waitFor(
      async () => metricSum(await a.metrics(), 'tributary_push_publishers', { protocol: 'rtmp' }) === 1,
      'replica a to hold the publisher',
    );
    await waitFor(() => av.order.length === 1, 'packets of the current session');
    const killedAt = Date.now();
    await a.kill();
    await waitFor(() => av.order.length >= 2, 'a new publisher session through replica b', 60_000);
    const backAt = Date.now();
    await waitForStream(cluster, ns, 'cam', (s) => s.status?.phase === 'Live', 'Live again');
    const seconds = (backAt - killedAt) / 1000;
    console.log(`# replica killed -> media flowing through the other replica: ${seconds.toFixed(1)} s`);
    assert.ok(
      metricSum(await b.metrics(), 'tributary_push_publishers', { protocol: 'rtmp' }) === 1,
      'replica b holds it now',
    );
    await encoder.stop();
  });

  test('deleting a Stream disconnects its publisher and refuses the next one', async () => {
    const publisher = rtmpPublisher(flv, camUrl(b), true);
    cleanups.push(() => publisher.stop());
    await waitFor(
      async () => metricSum(await b.metrics(), 'tributary_push_publishers', { protocol: 'rtmp' }) === 1,
      'replica b to accept the publisher',
      30_000,
    );
    await deleteStream(cluster, ns, 'cam');
    const code = await publisher.exited;
    assert.notEqual(code, 0, 'the publisher was disconnected');
    await waitFor(
      async () => (await readStream(cluster, ns, 'cam')) === undefined,
      'the Stream to be gone',
      60_000,
    );
    assert.equal(await routeOf('cam'), null, 'its route is unregistered');
    const late = rtmpPublisher(flv, camUrl(b));
    assert.notEqual(await late.exited, 0, 'a new publish is refused');
  });
});
