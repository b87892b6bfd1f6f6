// A real ingest service (in-process) between real peers: nats-server, ffmpeg sources, HTTP servers.
// What the service publishes is observed from the NATS side only: decoded packets, events, status.
//
//   const h = await startHarness({ inputs: [{ url: udpUrl(a) }, { url: udpUrl(b) }] });
//   await h.until(() => h.status()?.live === true, 'input 0 live');
//   await h.stop();
import { Writable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { IngestConfig, IngestInput } from '@tributary/crds';
import type { ControlReply } from '../../src/failover/types.js';
import { type IngestService, startIngest } from '../../src/ingest/service.js';
import type { CreateReader } from '../../src/reader/reader-api.js';
import type { StatusDocument } from '../../src/status/status-document.js';
import { decodeEnvelope, isWireError, Reassembler } from '../../src/wire/index.js';
import { type NatsOptions, type NatsServer, startNats } from '../support/nats.js';
import { type FfmpegProcess, ffmpegLoop, waitFor } from '../support/peers.js';

/** One access unit as a subscriber saw it (payload left out). */
export interface SeenPacket {
  inputPriority: number | null;
  sessionId: number;
  sessionStart: boolean;
  seq: number;
  codec: string;
  trackId: number;
  key: boolean;
  pts: number;
  dts: number;
  wallTimeMs: number;
  receivedAt: number;
}

export interface SeenEvent {
  type: string;
  at: string;
  payload: Record<string, unknown>;
  /** Index into `packets` at the moment the event arrived. */
  packetIndex: number;
}

export type InputSpec = Partial<IngestInput> & { url: string };

export interface HarnessOptions {
  inputs: InputSpec[];
  failover?: IngestConfig['failover'];
  env?: Record<string, string>;
  createReader?: CreateReader;
  nats?: NatsOptions;
  pushListenerKey?: string;
  /** Start on standby under this pod name (see IngestServiceOptions.standby). */
  standby?: string;
}

export interface Harness {
  nats: NatsServer;
  observer: NatsConnection;
  service: IngestService;
  config: IngestConfig;
  packets: SeenPacket[];
  events: SeenEvent[];
  /** The latest `.status` document. */
  status(): StatusDocument | undefined;
  /** The service's log lines so far (for failure messages). */
  logs(): string;
  /** Waits until `test` holds; fails with `what` and the recent log after `timeoutMs`. */
  until(test: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** A control request; `timeoutMs` (default 5 s) bounds the wait for an answer. */
  control(request: unknown, timeoutMs?: number): Promise<ControlReply>;
  eventsOf(type: string): SeenEvent[];
  stop(): Promise<void>;
}

let streamCount = 0;

function fill(input: InputSpec, priority: number): IngestInput {
  return { headers: {}, headersFromEnv: [], params: {}, paramsFromEnv: [], ...input, priority };
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const nats = await startNats(options.nats);
  const observer = await connect({ servers: nats.url });
  const config: IngestConfig = {
    stream: {
      namespace: 'test',
      name: `stream-${process.pid}-${++streamCount}`,
      uid: 'uid-1',
      generation: 1,
    },
    inputs: options.inputs.map(fill),
    failover: options.failover ?? {},
    subjectPrefix: 'tributary',
    ...(options.pushListenerKey !== undefined && { pushListenerKey: options.pushListenerKey }),
  };
  const base = `tributary.${config.stream.namespace}.${config.stream.name}`;
  const packets: SeenPacket[] = [];
  const events: SeenEvent[] = [];
  let latest: StatusDocument | undefined;
  const reassembler = new Reassembler();
  observer.subscribe(`${base}.av`, {
    callback: (_err, message) => {
      const envelope = decodeEnvelope(message.data);
      if (isWireError(envelope)) throw new Error(`bad envelope: ${envelope.message}`);
      const p = reassembler.push(envelope);
      if (p === undefined) return;
      const { data: _data, ...rest } = p;
      packets.push({ ...rest, receivedAt: Date.now() });
    },
  });
  observer.subscribe(`${base}.events`, {
    callback: (_err, message) => {
      const event = message.json<{ type: string; at: string; payload: Record<string, unknown> }>();
      events.push({ type: event.type, at: event.at, payload: event.payload, packetIndex: packets.length });
    },
  });
  observer.subscribe(`${base}.status`, {
    callback: (_err, message) => {
      latest = message.json<StatusDocument>();
    },
  });
  await observer.flush();

  let log = '';
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      log = (log + String(chunk)).slice(-20_000);
      done();
    },
  });
  const service = await startIngest({
    config,
    env: options.env ?? {},
    natsUrl: nats.url,
    listen: { host: '127.0.0.1', port: 0 },
    vodRoot: '/nonexistent',
    logDestination,
    processMetrics: false,
    ...(options.createReader !== undefined && { createReader: options.createReader }),
    standby: options.standby,
  });

  const until = async (test: () => boolean, what: string, timeoutMs = 20_000) => {
    await waitFor(test, what, timeoutMs).catch((error: Error) => {
      const seen = events.map((e) => `${e.type} ${JSON.stringify(e.payload)}`).join('\n  ');
      throw new Error(`${error.message}\nevents:\n  ${seen}\nlog tail:\n${log.slice(-4000)}`);
    });
  };
  return {
    nats,
    observer,
    service,
    config,
    packets,
    events,
    status: () => latest,
    logs: () => log,
    until,
    async control(request, timeoutMs = 5000) {
      const reply = await observer.request(`${base}.control`, JSON.stringify(request), {
        timeout: timeoutMs,
      });
      return reply.json<ControlReply>();
    },
    eventsOf: (type) => events.filter((e) => e.type === type),
    async stop() {
      await service.stop();
      await observer.drain();
      await nats.stop();
    },
  };
}

export const udpUrl = (port: number) => `udp://127.0.0.1:${port}`;

/** Loops a TS file to a UDP port in real time, without re-encoding. */
export function udpSource(file: string, port: number): FfmpegProcess {
  return ffmpegLoop(file, ['-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`]);
}
