// Chaos: recovery time and loss of a live Stream under five faults, injected one after the other
// (each after the Stream flows steadily again): the ingest pod SIGKILLed, nats-server restarted,
// kube-apiserver restarted, the leading operator SIGKILLed, and the UDP input flooded at 10x its
// bitrate. One harness cluster (real etcd + kube-apiserver + scheduler + controller-manager + node
// agent running `tributary ingest` as a local process), two operator replicas with leader election
// (defaults: 15 s lease), a real nats-server, ffmpeg sending MPEG-TS over UDP in real time, and a
// NATS subscriber on `.av` recording each access unit's arrival, session and sequence number.
// One JSON line per fault: median (and _max) over CHAOS_REPEATS runs (default 3).
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { CoordinationV1Api, type V1Pod } from '@kubernetes/client-node';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { decodeEnvelope, isWireError, LossCounter } from '../ingest-pod/src/wire/index.js';
import { type NatsServer, startNats } from '../ingest-pod/test/support/nats.js';
import { type FfmpegProcess, freeUdpPort } from '../ingest-pod/test/support/peers.js';
import {
  createStreamNamespace,
  INGEST_IMAGE,
  liveUdpSource,
  OPERATOR_NAMESPACE,
  type OperatorProcess,
  readPod,
  readStream,
  startOperator,
  startOperatorCluster,
  streamObject,
} from '../test/e2e/operator-harness.js';
import { type Cluster, waitFor } from '../tools/cluster/index.js';
import { tributaryImages } from '../tools/cluster/local-images.js';
import { median, sampleProcess, sleep } from './ingest-support.js';

const REPEATS = Number(process.env.CHAOS_REPEATS ?? 3);
const STREAM = 'chaos';
const POD = `${STREAM}-ingest`;
const LEASE = 'tributary-operator';
const LEADING = 'leading: reconciling Streams';
const NOT_LEADING = 'not leading: reconciling stopped';
/** Wider than any gap between access units of the live source (25 fps video, ~47 AAC frames/s). */
const NORMAL_GAP_MS = 250;
const FLOOD_FACTOR = 10;
const FLOOD_MS = 5_000;
const TS_PACKET = 188;
const DATAGRAM = 7 * TS_PACKET;

interface Arrival {
  at: number;
  /** The wire's session id. */
  sessionId: number;
  /** Which run of media this packet belongs to, counted here: a new one at every session start
   * flag, session id change or sequence reset (a recreated pod may reuse its predecessor's ids). */
  session: number;
  seq: number;
  bytes: number;
}
type Figures = Record<string, number>;

const startedAt = Date.now();
const arrivals: Arrival[] = [];
const statusWrites: number[] = [];
const operators: OperatorProcess[] = [];
let cluster: Cluster | undefined;
let nats: NatsServer | undefined;
let source: FfmpegProcess | undefined;
let observer: NatsConnection | undefined;
let stopping = false;

const last = <T>(list: readonly T[]) => list[list.length - 1];
const round = (n: number) => Math.round(n);

/** The longest pause between consecutive arrivals that ends after `from` and starts before `to`. */
function longestGap(from: number, to: number): number {
  let gap = 0;
  for (let i = 1; i < arrivals.length; i++) {
    const [a, b] = [arrivals[i - 1]!, arrivals[i]!];
    if (b.at > from && a.at < to) gap = Math.max(gap, b.at - a.at);
  }
  return gap;
}

/** Sequence numbers skipped by packets that arrived in [from, to], a new session's opening gap included. */
function lostPackets(from: number, to: number): number {
  const next = new Map<number, number>();
  let lost = 0;
  for (const a of arrivals) {
    if (a.at >= to) break;
    if (a.at >= from) {
      const expected = next.get(a.session) ?? 0;
      if (a.seq > expected) lost += a.seq - expected;
    }
    next.set(a.session, Math.max(next.get(a.session) ?? 0, a.seq + 1));
  }
  return lost;
}

const firstAfter = (t: number, test: (a: Arrival) => boolean = () => true) =>
  arrivals.find((a) => a.at > t && test(a));

/** Waits until the last 3 s of media came without a pause longer than normal, and still comes. */
async function steadyFlow(what: string, timeoutMs = 180_000): Promise<void> {
  await waitFor(
    () => {
      const now = Date.now();
      const newest = last(arrivals);
      return (
        newest !== undefined &&
        now - newest.at < NORMAL_GAP_MS &&
        arrivals.some((a) => a.at < now - 3000) &&
        longestGap(now - 3000, now) < NORMAL_GAP_MS
      );
    },
    { what: `steady media (${what})`, timeoutMs, intervalMs: 100 },
  );
}

const leaderLogTimes = (operator: OperatorProcess, msg: string, since: number) =>
  operator.logs.filter((l) => l.msg === msg && (l.time as number) > since).map((l) => l.time as number);

async function leaseHolder(c: Cluster): Promise<string | undefined> {
  const lease = await c
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: LEASE });
  return lease.spec?.holderIdentity ?? undefined;
}

const restarts = (pod: V1Pod | undefined) =>
  (pod?.status?.containerStatuses ?? []).reduce((sum, s) => sum + (s.restartCount ?? 0), 0);

/**
 * Packets after `from` that a consumer following docs/wire-format.md (LossCounter, by session id
 * and sequence) takes for duplicates: a publisher that reuses a session id with a fresh sequence.
 */
function duplicatesBySpec(from: number, to: number): number {
  const counter = new LossCounter();
  let before = 0;
  for (const a of arrivals) {
    if (a.at >= to) break;
    if (a.at < from) before = counter.stats.duplicates;
    counter.observe(a.sessionId, a.seq);
  }
  return counter.stats.duplicates - before;
}

/** Datagrams the kernel dropped on the UDP socket bound to 127.0.0.1:<port> (/proc/net/udp). */
function udpDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .find((l) => l.trim().split(/\s+/)[1] === local);
  return Number(line?.trim().split(/\s+/).at(-1) ?? Number.NaN);
}

function summarize(fault: string, runs: Figures[]): void {
  const line: Record<string, unknown> = { bench: 'chaos', fault, runs: runs.length };
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  for (const key of keys) {
    const values = runs.map((r) => r[key]).filter((v): v is number => v !== undefined && !Number.isNaN(v));
    if (values.length === 0) continue;
    line[key] = Math.round(median(values) * 10) / 10;
    line[`${key}_max`] = Math.round(Math.max(...values) * 10) / 10;
  }
  console.error(`${fault}: ${keys.map((k) => `${k} ${line[k]} (max ${line[`${k}_max`]})`).join(', ')}`);
  console.log(JSON.stringify(line));
}

async function repeat(fault: string, run: (i: number) => Promise<Figures>): Promise<void> {
  const runs: Figures[] = [];
  for (let i = 1; i <= REPEATS; i++) {
    await steadyFlow(`before ${fault} #${i}`);
    await sleep(Math.random() * 1000); // a random phase against GOPs and status writes
    const figures = await run(i);
    console.error(`  ${fault} #${i}: ${JSON.stringify(figures)}`);
    runs.push(figures);
  }
  summarize(fault, runs);
}

async function cleanUp(): Promise<void> {
  stopping = true;
  await observer?.close().catch(() => undefined);
  await source?.stop();
  for (const operator of operators) await operator.stop().catch(() => undefined);
  await cluster?.stop();
  await nats?.stop();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

try {
  nats = await startNats();
  const natsUrl = nats.url;
  observer = await connect({
    servers: natsUrl,
    reconnectTimeWait: 50,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
  });
  const c = (await startOperatorCluster({ images: tributaryImages() })).cluster;
  cluster = c;
  const kubeconfig = `${c.dir}/operator.kubeconfig`;
  const ns = await createStreamNamespace(c);
  observer.subscribe(`tributary.${ns}.${STREAM}.av`, {
    callback: (_err, message) => {
      const envelope = decodeEnvelope(message.data);
      if (isWireError(envelope) || envelope.fragmentOffset !== 0) return;
      const previous = last(arrivals);
      const fresh =
        previous === undefined ||
        envelope.sessionStart ||
        envelope.sessionId !== previous.sessionId ||
        envelope.seq <= previous.seq;
      arrivals.push({
        at: Date.now(),
        sessionId: envelope.sessionId,
        session: (previous?.session ?? 0) + (fresh ? 1 : 0),
        seq: envelope.seq,
        bytes: envelope.accessUnitLength,
      });
    },
  });
  await observer.flush();
  let operatorCount = 0;
  const startReplica = async () => {
    const operator = await startOperator(kubeconfig, `op-${++operatorCount}`, [
      '--nats-url',
      natsUrl,
      '--ingest-image',
      INGEST_IMAGE,
      '--status-interval',
      '2s',
    ]);
    operators.push(operator);
    return operator;
  };
  await startReplica();
  await waitFor(() => leaderLogTimes(operators[0]!, LEADING, 0).length > 0 || undefined, {
    what: 'op-1 to lead',
    timeoutMs: 60_000,
  });
  await startReplica();

  const port = await freeUdpPort();
  source = liveUdpSource(port);
  await c.apply(streamObject(ns, STREAM, { inputs: [{ url: `udp://127.0.0.1:${port}` }] }));
  // Status writes as the admin sees them: each new resourceVersion, polled every 100 ms.
  void (async () => {
    let version: string | undefined;
    while (!stopping) {
      const stream = await readStream(c, ns, STREAM).catch(() => undefined);
      const seen = stream?.metadata?.resourceVersion;
      if (seen !== undefined && seen !== version) {
        if (version !== undefined) statusWrites.push(Date.now());
        version = seen;
      }
      await sleep(100);
    }
  })();
  await steadyFlow('first start');
  console.error(`cluster, operators and a live Stream after ${round((Date.now() - startedAt) / 1000)} s`);

  await repeat('ingest-pod-kill', async () => {
    const before = await readPod(c, ns, POD);
    const pid = c.agent?.podPids(ns, POD)?.ingest;
    if (pid === undefined) throw new Error(`no ingest process for pod ${POD}`);
    const { session, sessionId } = last(arrivals)!;
    const faultAt = Date.now();
    process.kill(-pid, 'SIGKILL'); // the container's process group
    const first = await waitFor(() => firstAfter(faultAt, (a) => a.session !== session), {
      what: 'the new pod’s first packet',
      timeoutMs: 180_000,
    });
    await steadyFlow('after the pod kill');
    const after = await readPod(c, ns, POD);
    const lastOld = [...arrivals].reverse().find((a) => a.session === session && a.at <= faultAt)!;
    return {
      recovery_ms: first.at - faultAt,
      media_gap_ms: first.at - lastOld.at,
      lost_packets: lostPackets(faultAt, Date.now()),
      pod_recreated: after?.metadata?.uid !== before?.metadata?.uid ? 1 : 0,
      session_id_reused: first.sessionId === sessionId ? 1 : 0,
      duplicates_by_spec: duplicatesBySpec(faultAt, Date.now()),
    };
  });

  await repeat('nats-restart', async () => {
    const faultAt = Date.now();
    await nats!.restart();
    const upAt = Date.now();
    const first = await waitFor(() => firstAfter(upAt), {
      what: 'a packet after the restart',
      timeoutMs: 120_000,
    });
    const session = last(arrivals.filter((a) => a.at <= faultAt))!.session;
    await steadyFlow('after the NATS restart');
    return {
      recovery_ms: first.at - faultAt,
      nats_down_ms: upAt - faultAt,
      media_gap_ms: longestGap(faultAt, Date.now()),
      lost_packets: lostPackets(faultAt, Date.now()),
      new_session: first.session !== session ? 1 : 0,
    };
  });

  await repeat('apiserver-restart', async () => {
    const faultAt = Date.now();
    await c.restartApiServer();
    const upAt = Date.now();
    const statusAt = await waitFor(() => statusWrites.find((t) => t > upAt), {
      what: 'a Stream status write after the apiserver returned',
      timeoutMs: 120_000,
    });
    await steadyFlow('after the apiserver restart');
    const steppedDown = operators.some((o) => leaderLogTimes(o, NOT_LEADING, faultAt).length > 0);
    return {
      recovery_ms: statusAt - upAt,
      apiserver_down_ms: upAt - faultAt,
      media_gap_ms: longestGap(faultAt, Date.now()),
      lost_packets: lostPackets(faultAt, Date.now()),
      leader_stepped_down: steppedDown ? 1 : 0,
    };
  });

  await repeat('operator-leader-kill', async () => {
    const holder = await waitFor(() => leaseHolder(c), { what: 'the Lease holder', timeoutMs: 60_000 });
    const leader = operators.find((o) => o.identity === holder);
    if (!leader) throw new Error(`the Lease is held by ${holder}, no operator of this bench`);
    const standby = operators.find((o) => o !== leader)!;
    const faultAt = Date.now();
    await leader.kill();
    operators.splice(operators.indexOf(leader), 1);
    const [ledAt] = await waitFor(
      () =>
        leaderLogTimes(standby, LEADING, faultAt).length > 0
          ? leaderLogTimes(standby, LEADING, faultAt)
          : undefined,
      { what: `${standby.identity} to lead`, timeoutMs: 120_000 },
    );
    const statusAt = await waitFor(() => statusWrites.find((t) => t > ledAt!), {
      what: 'a status write by the new leader',
      timeoutMs: 120_000,
    });
    await steadyFlow('after the operator kill');
    await startReplica(); // the next standby
    return {
      recovery_ms: statusAt - faultAt,
      lease_taken_ms: ledAt! - faultAt,
      first_status_after_lead_ms: statusAt - ledAt!,
      media_gap_ms: longestGap(faultAt, Date.now()),
      lost_packets: lostPackets(faultAt, Date.now()),
    };
  });

  await repeat('udp-flood-10x', async () => {
    const now = Date.now();
    const window = arrivals.filter((a) => a.at > now - 5000);
    const sourceBps = (window.reduce((sum, a) => sum + a.bytes, 0) * 8) / 5;
    const floodBps = FLOOD_FACTOR * sourceBps;
    const before = await readPod(c, ns, POD);
    const pid = c.agent?.podPids(ns, POD)?.ingest;
    if (pid === undefined) throw new Error(`no ingest process for pod ${POD}`);
    const rssBefore = (await sampleProcess(pid)).rssMb;
    // The pod's CPU over as long a stretch without the flood, to compare with the flood's.
    const idleStart = (await sampleProcess(pid)).cpuSeconds;
    await sleep(FLOOD_MS);
    const cpuBefore = (await sampleProcess(pid)).cpuSeconds;
    const dropsBefore = udpDrops(port);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      const current = c.agent?.podPids(ns, POD)?.ingest;
      // A process that ended between the lookup and the read has no figure to add.
      if (current !== undefined)
        void sampleProcess(current).then(
          (sample) => {
            rssPeak = Math.max(rssPeak, sample.rssMb);
          },
          () => {},
        );
    }, 100);
    const socket = createSocket('udp4');
    // TS-shaped garbage: a sync byte every 188 bytes, random PIDs and payload.
    const datagram = () => {
      const bytes = Buffer.alloc(DATAGRAM);
      crypto.getRandomValues(bytes);
      for (let i = 0; i < DATAGRAM; i += TS_PACKET) bytes[i] = 0x47;
      return bytes;
    };
    const faultAt = Date.now();
    let sentBytes = 0;
    try {
      while (Date.now() - faultAt < FLOOD_MS) {
        const due = ((Date.now() - faultAt) / 1000) * (floodBps / 8);
        while (sentBytes < due) {
          socket.send(datagram(), port, '127.0.0.1');
          sentBytes += DATAGRAM;
        }
        await sleep(5);
      }
    } finally {
      socket.close();
    }
    const floodEnd = Date.now();
    const floodCpu = (await sampleProcess(pid).catch(() => undefined))?.cpuSeconds;
    const floodDrops = udpDrops(port);
    await sleep(3000);
    await steadyFlow('after the flood');
    clearInterval(sampler);
    const settled = Date.now();
    const after = await readPod(c, ns, POD);
    let normalAt = floodEnd;
    for (let i = 1; i < arrivals.length; i++) {
      const [a, b] = [arrivals[i - 1]!, arrivals[i]!];
      if (b.at > floodEnd && b.at < settled && b.at - a.at > NORMAL_GAP_MS) normalAt = b.at;
    }
    return {
      recovery_ms: normalAt - floodEnd,
      media_gap_ms: longestGap(faultAt, settled),
      lost_packets: lostPackets(faultAt, settled),
      source_kbps: sourceBps / 1000,
      flood_kbps: (sentBytes * 8) / (floodEnd - faultAt),
      restart_count: restarts(after) - restarts(before),
      pod_recreated: after?.metadata?.uid !== before?.metadata?.uid ? 1 : 0,
      rss_before_mb: rssBefore,
      rss_peak_mb: rssPeak,
      pod_cpu_before_flood_s: cpuBefore - idleStart,
      pod_cpu_during_flood_s: floodCpu === undefined ? Number.NaN : floodCpu - cpuBefore,
      kernel_udp_drops: floodDrops - dropsBefore,
    };
  });
  console.error(`chaos bench took ${round((Date.now() - startedAt) / 1000)} s`);
} finally {
  await cleanUp();
}
