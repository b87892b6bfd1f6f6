// Cold failover, default settings: the media gap a NATS subscriber sees between the last access
// unit of the failed input and the first one of the backup. Each run is a fresh `tributary ingest`
// process with two UDP sources (1 s GOP); the primary's ffmpeg is stopped once it is published.
// Besides the gap: detection (last packet -> input.degraded) and catch-up (input.degraded -> first
// packet of the backup: opening it and waiting for its next keyframe).
import { connect } from '@nats-io/transport-node';
import { decodeEnvelope, isWireError } from '../ingest-pod/src/wire/index.js';
import { startCli } from '../ingest-pod/test/cli/run-cli.js';
import { udpSource, udpUrl } from '../ingest-pod/test/ingest/stream-harness.js';
import { makeTsFile } from '../ingest-pod/test/support/media.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import { freeUdpPort, makeTempDir, waitFor } from '../ingest-pod/test/support/peers.js';
import { median, report, sleep, writeStreamConfig } from './ingest-support.js';

const RUNS = 7;
const FPS = 25;

const dir = await makeTempDir('tributary-bench-failover-');
const nats = await startNats();
const observer = await connect({ servers: nats.url });
const file = await makeTsFile(dir.path, { seconds: 10, fps: FPS, gop: FPS });
const [portA, portB] = [await freeUdpPort(), await freeUdpPort()];
const backup = udpSource(file, portB);
const gaps: number[] = [];
const detections: number[] = [];
const catchUps: number[] = [];

try {
  for (let run = 1; run <= RUNS; run++) {
    const name = `failover-${run}`;
    const primary = udpSource(file, portA);
    let lastPrimaryAt = 0;
    let primaryPackets = 0;
    let firstBackupAt: number | undefined;
    let degradedAt: number | undefined;
    const av = observer.subscribe(`tributary.bench.${name}.av`, {
      callback: (_err, message) => {
        const at = performance.now();
        const envelope = decodeEnvelope(message.data);
        if (isWireError(envelope) || envelope.fragmentOffset !== 0) return;
        if (envelope.inputPriority === 0 && firstBackupAt === undefined) {
          lastPrimaryAt = at;
          primaryPackets++;
        }
        if (envelope.inputPriority === 1) firstBackupAt ??= at;
      },
    });
    const events = observer.subscribe(`tributary.bench.${name}.events`, {
      callback: (_err, message) => {
        if (message.json<{ type: string }>().type === 'input.degraded') degradedAt ??= performance.now();
      },
    });
    await observer.flush();
    const config = await writeStreamConfig(dir.path, name, [udpUrl(portA), udpUrl(portB)]);
    const ingest = startCli(['ingest', '--config', config, '--listen', '127.0.0.1:0'], {
      NATS_URL: nats.url,
    });
    try {
      await waitFor(() => primaryPackets >= 3 * 2 * FPS, 'three seconds of the primary', 30_000);
      // A random phase against the GOP, as a real failure would have.
      await sleep(Math.random() * 1000);
      await primary.stop();
      await waitFor(() => firstBackupAt !== undefined, 'the backup', 30_000);
      const gap = firstBackupAt! - lastPrimaryAt;
      gaps.push(gap);
      if (degradedAt !== undefined) {
        detections.push(degradedAt - lastPrimaryAt);
        catchUps.push(firstBackupAt! - degradedAt);
      }
      console.error(`run ${run}: gap ${Math.round(gap)} ms`);
    } finally {
      await ingest.stop();
      await primary.stop();
      av.unsubscribe();
      events.unsubscribe();
    }
  }
  const goal = '≤ 1500 ms median';
  report({ bench: 'failover', metric: 'cold failover gap median', unit: 'ms', value: median(gaps), goal });
  report({ bench: 'failover', metric: 'cold failover gap max', unit: 'ms', value: Math.max(...gaps) });
  report({ bench: 'failover', metric: 'detection median', unit: 'ms', value: median(detections) });
  report({ bench: 'failover', metric: 'catch-up median', unit: 'ms', value: median(catchUps) });
} finally {
  await backup.stop();
  await observer.drain();
  await nats.stop();
  await dir.remove();
}
