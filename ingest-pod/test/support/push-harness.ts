// Push-listener pieces on a real NATS server for tests: a listener replica's gate and SRT server
// (in-process, on 127.0.0.1 free ports), and a collector of what reaches the `_push` subjects.
//
//   const replica = await startSrtReplica({ natsUrl, replica: 'a', openSealed });
//   const relays = await collectRelays(natsUrl);          // relays.sessions('ns/cam')
//   await replica.stop(); await relays.close();
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { createPushGate, type ListenerGate } from '../../src/push-listener/gate.js';
import { createPushMetrics, type PushMetrics } from '../../src/push-listener/push-metrics.js';
import { SrtPublishServer } from '../../src/push-listener/srt/srt-publish-server.js';
import { decodeRelay, RelayKind, type RelayMessage } from '../../src/push-relay/relay-wire.js';
import { openRegistry } from '../../src/registry/index.js';
import type { Registry, RegistryMirror } from '../../src/registry/registry-api.js';
import { type NatsServer, startNats } from './nats.js';
import { makeTempDir, type TempDir } from './peers.js';
import { type TestSealing, testSealing } from './push-sealing.js';

export interface SrtReplica {
  readonly port: number;
  readonly gate: ListenerGate;
  readonly metrics: PushMetrics;
  readonly registry: Registry;
  readonly mirror: RegistryMirror;
  readonly server: SrtPublishServer;
  /** Value of a counter or gauge with exactly these labels (0 when absent). */
  metric(name: string, labels: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function startSrtReplica(options: {
  natsUrl: string;
  replica: string;
  openSealed?: (sealed: string) => string | Promise<string>;
  prefix?: string;
  silenceTimeoutMs?: number;
}): Promise<SrtReplica> {
  const prefix = options.prefix ?? 'tributary';
  const nc = await connect({ servers: options.natsUrl, name: `test-${options.replica}` });
  const log = pino({ level: 'silent' });
  const registry = await openRegistry(nc, { prefix });
  const mirror = await registry.mirror();
  const metrics = createPushMetrics({ processMetrics: false });
  const gate = createPushGate({
    registry,
    mirror,
    nc,
    subjectPrefix: prefix,
    replica: options.replica,
    verifyKey: () => 'mismatch',
    metrics,
    log,
  });
  const server = new SrtPublishServer({
    host: '127.0.0.1',
    port: 0,
    gate,
    mirror,
    replica: options.replica,
    ...(options.openSealed !== undefined && { openSealed: options.openSealed }),
    ...(options.silenceTimeoutMs !== undefined && { silenceTimeoutMs: options.silenceTimeoutMs }),
    log,
  });
  mirror.onChange = (removed) => {
    gate.routesChanged(removed);
    void server.refresh();
  };
  await server.start();
  return {
    port: server.port,
    gate,
    metrics,
    registry,
    mirror,
    server,
    async metric(name, labels) {
      const values = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
      const match = values.find((v) =>
        Object.entries(labels).every(([key, value]) => (v.labels as Record<string, unknown>)[key] === value),
      );
      return match?.value ?? 0;
    },
    async stop() {
      server.stopAccepting();
      await gate.drain('test over');
      server.close();
      mirror.close();
      await registry.close();
      await nc.drain();
    },
  };
}

export interface RelaySession {
  subject: string;
  session: number;
  messages: RelayMessage[];
  /** Media payload bytes so far. */
  bytes(): number;
  ended(): string | undefined;
}

export interface RelayCollector {
  readonly nc: NatsConnection;
  /** Sessions seen on `<prefix>._push.<ns>.<stream>` for route `ns/stream`, in order of their start. */
  sessions(route: string): RelaySession[];
  close(): Promise<void>;
}

export async function collectRelays(natsUrl: string, prefix = 'tributary'): Promise<RelayCollector> {
  const nc = await connect({ servers: natsUrl, name: 'test-relay-collector' });
  const bySubject = new Map<string, RelaySession[]>();
  const decoder = new TextDecoder();
  nc.subscribe(`${prefix}._push.>`, {
    callback: (error, message) => {
      if (error !== null) return;
      const relay = decodeRelay(message.data);
      const list = bySubject.get(message.subject) ?? [];
      bySubject.set(message.subject, list);
      let session = list.find((s) => s.session === relay.session);
      if (session === undefined) {
        const messages: RelayMessage[] = [];
        session = {
          subject: message.subject,
          session: relay.session,
          messages,
          bytes: () =>
            messages
              .filter((m) => m.kind === RelayKind.ts || m.kind === RelayKind.flv)
              .reduce((n, m) => n + m.payload.length, 0),
          ended: () => {
            const end = messages.find((m) => m.kind === RelayKind.end);
            return end === undefined
              ? undefined
              : (JSON.parse(decoder.decode(end.payload)) as { reason: string }).reason;
          },
        };
        list.push(session);
      }
      session.messages.push({ ...relay, payload: relay.payload.slice() });
    },
  });
  await nc.flush();
  return {
    nc,
    sessions: (route) => bySubject.get(`${prefix}._push.${route.replace('/', '.')}`) ?? [],
    close: () => nc.drain(),
  };
}

/** What every push-listener test stands on: the chart's nats-server, a temp dir, a sealing key, the registry and a relay collector. */
export interface PushTestBed {
  nats: NatsServer;
  dir: TempDir;
  sealing: TestSealing;
  admin: NatsConnection;
  registry: Registry;
  relays: RelayCollector;
  stop(): Promise<void>;
}

export async function startPushTestBed(): Promise<PushTestBed> {
  const nats = await startNats({ jetstream: true, server: 'chart' });
  const dir = await makeTempDir();
  const sealing = await testSealing(dir.path);
  const admin = await connect({ servers: nats.url, name: 'test-admin' });
  const registry = await openRegistry(admin, { prefix: 'tributary' });
  const relays = await collectRelays(nats.url);
  return {
    nats,
    dir,
    sealing,
    admin,
    registry,
    relays,
    async stop() {
      await relays.close();
      await registry.close();
      await admin.drain();
      await nats.stop();
      await dir.remove();
    },
  };
}
