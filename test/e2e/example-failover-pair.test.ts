// examples/failover-pair.yaml for real: its Secret and Stream applied as written, with only the
// hosts pointed at local peers. An ffmpeg SRT listener (passphrase from the Secret) is the primary,
// ffmpeg over UDP the backup; the operator and a real ingest pod do the rest.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LIVE_H264_AAC } from '../../ingest-pod/test/support/media.js';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import { type FfmpegProcess, freeUdpPort, spawnFfmpeg } from '../../ingest-pod/test/support/peers.js';
import type { Cluster } from '../../tools/cluster/index.js';
import { tributaryImages } from '../../tools/cluster/local-images.js';
import {
  createStreamNamespace,
  liveUdpSource,
  type OperatorProcess,
  startOperator,
  startOperatorCluster,
  waitForStream,
} from './operator-harness.js';

const EXAMPLE = join(fileURLToPath(new URL('../..', import.meta.url)), 'examples/failover-pair.yaml');
const INGEST_IMAGE = 'ghcr.io/tributary/ingest-pod:e2e';
const SOURCE = [...LIVE_H264_AAC, '-f', 'mpegts'];

/**
 * An SRT listener that serves one caller per ffmpeg process, so it is started again whenever a
 * caller left (a probe, a reconnect) until it is stopped.
 */
function srtVenue(port: number, passphrase: string) {
  // ffmpeg takes SRT latency in microseconds: 200 ms, as the example's params.
  const url = `srt://127.0.0.1:${port}?mode=listener&latency=200000&pkt_size=1316&passphrase=${passphrase}`;
  let current: FfmpegProcess | undefined;
  let running = false;
  const serve = () => {
    if (!running) return;
    const process = spawnFfmpeg([...SOURCE, url]);
    current = process;
    void process.exited.then(() => {
      if (current === process) serve();
    });
  };
  return {
    start() {
      running = true;
      serve();
    },
    async stop() {
      running = false;
      await current?.stop();
    },
  };
}

describe('examples/failover-pair.yaml', () => {
  let cluster: Cluster;
  let nats: NatsServer;
  let operator: OperatorProcess;
  let ns: string;
  let udp: FfmpegProcess;
  let venue: ReturnType<typeof srtVenue>;
  let manifest: string;

  before(async () => {
    const [srtPort, udpPort] = [await freeUdpPort(), await freeUdpPort()];
    const example = readFileSync(EXAMPLE, 'utf8');
    manifest = example
      .replace('srt://venue.example.net:9000', `srt://127.0.0.1:${srtPort}`)
      .replace('udp://239.2.2.2:5000', `udp://127.0.0.1:${udpPort}`);
    assert.notEqual(manifest, example);
    const passphrase = /passphrase: (\S+)/.exec(example)?.[1];
    assert.ok(passphrase, 'the example keeps its passphrase in the Secret');
    venue = srtVenue(srtPort, passphrase);
    venue.start();
    udp = liveUdpSource(udpPort);
    let kubeconfig: string;
    ({ cluster, kubeconfig } = await startOperatorCluster({ images: tributaryImages() }));
    ns = await createStreamNamespace(cluster);
    nats = await startNats();
    operator = await startOperator(kubeconfig, 'op-pair', [
      '--nats-url',
      nats.url,
      '--ingest-image',
      INGEST_IMAGE,
      '--status-interval',
      '1s',
    ]);
  });
  after(async () => {
    await venue?.stop();
    await udp?.stop();
    await operator?.stop();
    await cluster?.stop();
    await nats?.stop();
  });

  test('goes Live on the SRT primary with its link statistics, fails over to UDP and back', async () => {
    await cluster.apply(manifest, { namespace: ns });
    const live = await waitForStream(
      cluster,
      ns,
      'match',
      (s) =>
        s.status?.phase === 'Live' &&
        s.status.activeInput === 0 &&
        (s.status.inputs?.[0]?.link?.packetsReceived ?? 0) > 0,
      'Live on the SRT input, with link statistics',
      120_000,
    );
    const input = live.status?.inputs?.[0];
    assert.deepEqual(input?.tracks?.map((t) => t.codec).sort(), ['aac', 'h264']);
    assert.equal(input?.link?.latencyMs, 200, 'the latency param is in milliseconds');
    assert.doesNotMatch(JSON.stringify(live.status), /replace-with/, 'the passphrase is never shown');

    await venue.stop();
    await waitForStream(
      cluster,
      ns,
      'match',
      (s) =>
        s.status?.activeInput === 1 && (s.status.switches?.some((w) => w.from === 0 && w.to === 1) ?? false),
      'failed over to the UDP backup',
      60_000,
    );

    venue.start();
    const back = await waitForStream(
      cluster,
      ns,
      'match',
      (s) =>
        s.status?.activeInput === 0 && (s.status.switches?.some((w) => w.from === 1 && w.to === 0) ?? false),
      'back on the SRT primary after the hold-down',
      120_000,
    );
    assert.equal(back.status?.phase, 'Live');
  });
});
