import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../observability/logger.js';
import type { NatsLinkMetrics } from '../observability/nats-link-metrics.js';

export interface NatsLinkOptions {
  servers: string | string[];
  /** Client name shown by the server's monitoring pages. */
  name: string;
  /** A `.creds` file (NATS_CREDS). Read at every (re)connect, so a rotated Secret is picked up. */
  credsFile?: string;
  log: Logger;
  metrics?: NatsLinkMetrics;
  /** Reply inboxes under this prefix: the one the identity's NATS permissions allow (natsInboxPrefix). */
  inboxPrefix?: string;
  /** Pause between reconnect attempts; the client's default (2 s) when absent. */
  reconnectTimeWaitMs?: number;
}

/** A NATS connection that never gives up reconnecting, and knows whether it is connected now. */
export interface NatsLink {
  readonly nc: NatsConnection;
  /** False between a disconnect and the reconnect, and after the connection closed. */
  readonly connected: boolean;
  /** True once the connection is closed for good; it will not come back. */
  readonly closed: boolean;
  onChange(listener: (connected: boolean) => void): () => void;
  /** Sends what is buffered, then closes. */
  drain(): Promise<void>;
}

/**
 * Connects, retrying forever (also before the first connection succeeds, so a pod that starts
 * before NATS waits for it). Ping every 10 s so a dead peer is noticed in about half a minute.
 */
export async function connectNats(options: NatsLinkOptions): Promise<NatsLink> {
  const { log, metrics, credsFile } = options;
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
    maxPingOut: 3,
    ...(options.reconnectTimeWaitMs !== undefined && { reconnectTimeWait: options.reconnectTimeWaitMs }),
    ...(options.inboxPrefix !== undefined && { inboxPrefix: options.inboxPrefix }),
    ...(credsFile && { authenticator: credsAuthenticator(() => readFileSync(credsFile)) }),
  });

  let connected = true;
  let closed = false;
  const listeners = new Set<(connected: boolean) => void>();
  const setConnected = (value: boolean) => {
    if (connected === value) return;
    connected = value;
    metrics?.natsConnected.set(value ? 1 : 0);
    for (const listener of listeners) listener(value);
  };
  metrics?.natsConnected.set(1);
  log.info({ server: nc.getServer() }, 'connected to NATS');

  void (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          log.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
          setConnected(false);
          break;
        case 'reconnect':
          log.info({ server: status.server }, 'reconnected to NATS');
          metrics?.natsReconnects.inc();
          setConnected(true);
          break;
        case 'ldm':
          log.warn({ server: status.server }, 'NATS server entering lame duck mode');
          break;
        case 'staleConnection':
          log.warn('NATS connection stale (pings unanswered)');
          break;
        case 'error':
          log.warn({ err: status.error }, 'NATS server error');
          break;
      }
    }
  })();
  void nc.closed().then((error) => {
    closed = true;
    setConnected(false);
    if (error) log.error({ err: error }, 'NATS connection closed for good');
    else log.info('NATS connection closed');
  });

  return {
    nc,
    get connected() {
      return connected;
    },
    get closed() {
      return closed;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async drain() {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}
