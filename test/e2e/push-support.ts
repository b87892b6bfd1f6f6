// Push-listener replicas and encoders for the push e2e test: listener processes started from this
// checkout, ffmpeg encoders that keep reconnecting like a real encoder does, and a counter of the
// access units that reach a Stream's .av subject.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeEnvelope, isWireError } from '../../ingest-pod/src/wire/index.js';
import {
  type FfmpegProcess,
  ffmpegLoop,
  freeTcpPort,
  freeUdpPort,
  spawnFfmpeg,
  waitFor,
} from '../../ingest-pod/test/support/peers.js';
import { REPO_ROOT } from '../../tools/cluster/binaries.js';

export interface ListenerReplica {
  name: string;
  pid: number;
  rtmpPort: number;
  srtPort: number;
  metricsPort: number;
  /** JSON log lines so far. */
  logs: Record<string, unknown>[];
  /** The /metrics text now. */
  metrics(): Promise<string>;
  /** SIGTERM: drains. */
  stop(): Promise<void>;
  /** SIGKILL: as if its node died. */
  kill(): Promise<void>;
}

/** A P-256 sealing key as the chart makes one (SEC1 PEM), written to `file`. */
export function makeSealingKey(file: string): void {
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file]);
}

/** `tributary push-listener` from this checkout on free 127.0.0.1 ports; resolves once /readyz is 200. */
export async function startListenerReplica(options: {
  name: string;
  natsUrl: string;
  sealingKeyFile: string;
  idleTimeoutSeconds?: number;
  /**
   * What runs before `push-listener` on node's command line: node flags and the entry point.
   * Default: this checkout's tsx entry (ingest-pod/bin/tributary.js).
   */
  entry?: readonly string[];
}): Promise<ListenerReplica> {
  const [rtmpPort, srtPort, metricsPort] = [await freeTcpPort(), await freeUdpPort(), await freeTcpPort()];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(options.entry ?? [path.join(REPO_ROOT, 'ingest-pod/bin/tributary.js')]),
      'push-listener',
      ...['--host', '127.0.0.1', '--rtmp-port', `${rtmpPort}`, '--srt-port', `${srtPort}`],
      ...['--metrics-port', `${metricsPort}`, '--nats-url', options.natsUrl, '--replica', options.name],
      ...['--sealing-key-file', options.sealingKeyFile],
      ...['--idle-timeout-seconds', `${options.idleTimeoutSeconds ?? 10}`],
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`push-listener ${options.name} did not start`);
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderr += `${line}\n`;
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const exited = once(child, 'exit');
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const finish = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    process.off('exit', killOnExit);
  };
  const get = (urlPath: string) => fetch(`http://127.0.0.1:${metricsPort}${urlPath}`);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`push-listener ${options.name} exited: ${stderr}`);
        return (await get('/readyz').catch(() => undefined))?.status === 200;
      },
      `push-listener ${options.name} to be ready`,
      60_000,
    );
  } catch (error) {
    await finish('SIGKILL');
    throw error;
  }
  return {
    name: options.name,
    pid,
    rtmpPort,
    srtPort,
    metricsPort,
    logs,
    metrics: async () => (await get('/metrics')).text(),
    stop: () => finish('SIGTERM'),
    kill: () => finish('SIGKILL'),
  };
}

/** The sum of a counter's samples whose labels include every pair in `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** ffmpeg publishing `file` once (or, with `loop`, endlessly) at its own pace (-re, -c copy) over RTMP. */
export function rtmpPublisher(file: string, url: string, loop = false): FfmpegProcess {
  if (loop) return ffmpegLoop(file, ['-f', 'flv', url]);
  return spawnFfmpeg(['-re', '-i', file, '-c', 'copy', '-f', 'flv', url]);
}

/**
 * An encoder that reconnects whenever its connection ends, as OBS and hardware encoders do; each
 * attempt goes to the next of `urls` (what a Service in front of several replicas amounts to).
 */
export function reconnectingEncoder(start: (attempt: number) => FfmpegProcess) {
  let running = true;
  let attempt = 0;
  let current: FfmpegProcess | undefined;
  const attempts: { at: number; code: number | null }[] = [];
  const next = () => {
    if (!running) return;
    const process = start(attempt++);
    current = process;
    void process.exited.then((code) => {
      attempts.push({ at: Date.now(), code });
      if (current === process && running) setTimeout(next, 300);
    });
  };
  next();
  return {
    attempts,
    async stop() {
      running = false;
      await current?.stop();
    },
  };
}

/** Counts a Stream's access units on its .av subject, per session and codec. */
export function avCounter(nc: NatsConnection, subject: string) {
  const sessions = new Map<
    number,
    { video: number; audio: number; lastVideoDts: number; backwards: number }
  >();
  const order: number[] = [];
  const sub = nc.subscribe(subject, {
    callback: (_error, message) => {
      const envelope = decodeEnvelope(message.data);
      if (isWireError(envelope) || (envelope.fragment && envelope.fragmentOffset > 0)) return;
      let session = sessions.get(envelope.sessionId);
      if (session === undefined) {
        session = { video: 0, audio: 0, lastVideoDts: Number.NEGATIVE_INFINITY, backwards: 0 };
        sessions.set(envelope.sessionId, session);
        order.push(envelope.sessionId);
      }
      if (envelope.codec === 'h264' || envelope.codec === 'h265') {
        session.video++;
        if (envelope.dts < session.lastVideoDts) session.backwards++;
        session.lastVideoDts = envelope.dts;
      } else if (envelope.codec === 'aac') session.audio++;
    },
  });
  return {
    sessions,
    /** Session ids in the order they first appeared. */
    order,
    total: () => [...sessions.values()].reduce((n, s) => n + s.video + s.audio, 0),
    stop: () => sub.unsubscribe(),
  };
}
