// The RTMP side of the push-listener: a TCP listener whose connections are parsed by
// node-media-server's RTMP engine and admitted by the PushGate; admitted media goes out as relay
// FLV records. Ingest only: play is refused, nothing is recorded or served.
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import type { Logger } from '../../observability/logger.js';
import type { RouteKey } from '../../registry/registry-api.js';
import type { PushGate } from '../push-gate-api.js';
import { routeEngineLogging } from './nms-rtmp.js';
import { RtmpPushConnection } from './rtmp-push-connection.js';

export interface RtmpPushServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  gate: PushGate;
  /** Route keys known now (`<ns>/<stream>`), for the single-segment `live/` rule. */
  knownRoutes: () => Iterable<RouteKey>;
  /** A connection not admitted as a publisher by then is closed (counted as 'idle'). Default 10 s. */
  idleTimeoutMs?: number;
  /** An admitted publisher that sends nothing for this long is disconnected. Default 10 s. */
  stallTimeoutMs?: number;
  /**
   * A writable directory for node-media-server. Unused: only its protocol engine runs here, and
   * that writes nothing (its store belongs to the NodeMediaServer class, see nms-rtmp.ts).
   */
  dataDir: string;
  log: Logger;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 10_000;
const DEFAULT_STALL_TIMEOUT_MS = 10_000;
/** Media an encoder may send before it is admitted (held until the gate decides). */
export const HOLD_LIMIT_BYTES = 8 * 1024 * 1024;
/** Reassembly memory of an admitted publisher: a few frames of the largest size RTMP can carry. */
const PUBLISHING_BUFFER_BYTES = 64 * 1024 * 1024;
const DRAIN_REASON = 'listener draining';

export class RtmpPushServer {
  private readonly server: net.Server;
  private readonly connections = new Set<RtmpPushConnection>();
  private accepting = true;
  private boundPort = 0;

  constructor(private readonly options: RtmpPushServerOptions) {
    routeEngineLogging(options.log);
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (error) => options.log.error({ err: error.message }, 'rtmp listener error'));
  }

  /** Resolves once listening; rejects if the address cannot be bound. */
  async start(): Promise<void> {
    this.server.listen(this.options.port, this.options.host);
    await once(this.server, 'listening');
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.options.log.info({ host: this.options.host, port: this.boundPort }, 'rtmp push listener started');
  }

  get port(): number {
    return this.boundPort;
  }

  /** Open TCP connections now, publishers included. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Admitted publishers now. */
  get publishers(): number {
    let count = 0;
    for (const connection of this.connections) if (connection.isPublishing) count++;
    return count;
  }

  /** Draining: new connections are refused; publish on an open connection is refused 'draining'. */
  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    if (this.server.listening) this.server.close();
  }

  /** Ends every publisher with 'listener draining', drops every connection, stops listening. */
  async close(): Promise<void> {
    this.stopAccepting();
    const closing = [...this.connections].map((connection) => {
      connection.shutDown(DRAIN_REASON);
      return connection.closed;
    });
    await Promise.all(closing);
    if (this.server.listening) await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(socket: net.Socket): void {
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    const { options } = this;
    const connection = new RtmpPushConnection(socket, {
      gate: options.gate,
      knownRoutes: options.knownRoutes,
      log: options.log,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      holdLimitBytes: HOLD_LIMIT_BYTES,
      publishingBufferBytes: PUBLISHING_BUFFER_BYTES,
      draining: () => !this.accepting,
      closed: (c) => this.connections.delete(c),
    });
    this.connections.add(connection);
  }
}
