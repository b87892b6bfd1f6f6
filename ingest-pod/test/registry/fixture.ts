// Shared pieces of the registry tests: servers to run against, sample routes and marks.
import { once } from 'node:events';
import { type AddressInfo, createServer, connect as netConnect, type Socket } from 'node:net';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import type { ActiveMark, RegistryLogger, RouteEntry } from '../../src/registry/index.js';

/** The process logger (pino) must fit where the registry takes a logger. */
export const silentPino: RegistryLogger = pino({ level: 'silent' });

/** Both supported servers: the chart's and Debian's 2.9 (no per-key TTL, no expiry events). */
export const SERVERS = ['chart', 'debian'] as const;
export type ServerKind = (typeof SERVERS)[number];

let prefixes = 0;
/** A prefix no other test uses, so each test gets its own buckets. */
export function uniquePrefix(): string {
  prefixes++;
  return `t${process.pid}-${prefixes}`;
}

export function connectTo(url: string): Promise<NatsConnection> {
  return connect({ servers: url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
}

export function sampleRoute(stream = 'cam', overrides: Partial<RouteEntry> = {}): RouteEntry {
  return {
    v: 1,
    namespace: 'news',
    stream,
    uid: 'uid-1',
    publishKey: {
      salt: 'AAAAAAAAAAAAAAAAAAAAAA==',
      hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      cost: 16384,
    },
    owner: 'ingest-news-cam-0',
    registeredAt: '2026-12-02T14:00:00.000Z',
    ...overrides,
  };
}

export function sampleMark(replica = 'listener-a', session = 1): ActiveMark {
  return { replica, protocol: 'rtmp', peer: '127.0.0.1:50000', session, since: new Date().toISOString() };
}

/** Resolves with the registry error code a promise rejects with; fails if it resolves. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? `not a RegistryError: ${String(error)}`;
  }
  throw new Error('expected a rejection, got a result');
}

export interface CuttableProxy {
  url: string;
  /** Drops every connection and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to `port`, to cut one client off NATS while others stay connected. */
export async function startProxy(port: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = netConnect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `nats://127.0.0.1:${address.port}`,
    cut() {
      open = false;
      dropAll();
    },
    restore() {
      open = true;
    },
    async close() {
      dropAll();
      server.close();
      await once(server, 'close');
    },
  };
}

/** `promise`, or a failure naming `what` if it does not settle within `timeoutMs`. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A logger that keeps what it was given, to check what was (and was not) logged. */
export function recordingLogger(): RegistryLogger & {
  lines: { level: string; message: string; fields: object }[];
} {
  const lines: { level: string; message: string; fields: object }[] = [];
  const at = (level: string) => (fields: object, message: string) => lines.push({ level, message, fields });
  return { lines, debug: at('debug'), warn: at('warn'), error: at('error') };
}
