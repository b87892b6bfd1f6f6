// SRT publishers: one libsrt listener whose handshake-time access table comes from the registry
// mirror; an accepted caller goes through the gate and its TS is relayed as it came (no demux).
import type { Logger } from '../../observability/logger.js';
import type { RegistryMirror, RouteEntry, RouteKey } from '../../registry/registry-api.js';
import { streamResource } from '../../srt/srt-access.js';
import {
  type SrtConnection,
  type SrtEngine,
  type SrtListener,
  sharedSrtEngine,
} from '../../srt/srt-engine.js';
import { describeReject } from '../../srt/srt-errors.js';
import { resolveSrtHost } from '../../srt/srt-source.js';
import type { Publisher, PushGate } from '../push-gate-api.js';
import { buildAccessTable, type PassphraseLookup, refusalReason } from './srt-access-table.js';

export interface SrtPublishServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  gate: PushGate;
  mirror: Pick<RegistryMirror, 'routes' | 'active'>;
  replica: string;
  /** Opens a route's sealed passphrase; absent when the listener has no sealing key (SRT refused). */
  openSealed?: (sealed: string) => string | Promise<string>;
  /**
   * An accepted caller that sends nothing for this long is disconnected (default 10 s): SRT
   * keepalives alone would otherwise hold the stream's active mark, and its encoder's reconnect
   * would be refused as a conflict.
   */
  silenceTimeoutMs?: number;
  /** Receive latency of every accepted socket (libsrt's default 120 ms when absent). */
  latencyMs?: number;
  log: Logger;
  engine?: SrtEngine;
}

/** Bytes an accepted caller may send while the gate decides, before it is cut off. */
const MAX_HELD_BYTES = 8 * 1024 * 1024;
const DEFAULT_SILENCE_TIMEOUT_MS = 10_000;

export class SrtPublishServer {
  private listener: SrtListener | undefined;
  private readonly connections = new Set<SrtConnection>();
  /** Opened passphrases by sealed text: a route re-registered with the same seal is not reopened. */
  private readonly opened = new Map<string, PassphraseLookup>();
  private accepting = true;
  private refreshing: Promise<void> = Promise.resolve();
  /** Accepted callers: when each last sent bytes (performance.now()), and how to drop it. */
  private readonly watched = new Map<SrtConnection, { lastData: number; drop: () => void }>();
  private silenceCheck: NodeJS.Timeout | undefined;

  constructor(private readonly options: SrtPublishServerOptions) {}

  private get silenceMs(): number {
    return this.options.silenceTimeoutMs ?? DEFAULT_SILENCE_TIMEOUT_MS;
  }

  get port(): number {
    return this.listener?.port ?? 0;
  }

  /** Accepted callers still connected. */
  get connected(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    const { options } = this;
    if (options.openSealed === undefined) {
      options.log.warn('no sealing key (--sealing-key-file): every SRT publisher is refused with 1403');
    }
    await this.openPassphrases();
    const address = await resolveSrtHost(options.host, options.port);
    const engine = options.engine ?? sharedSrtEngine();
    const socketOptions = options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs };
    const listener = await engine.listen(address, socketOptions, { access: this.table() });
    listener.onConnection = (connection) => this.accept(connection);
    listener.onRefused = (streamId, code, peer) => {
      const reason = refusalReason(streamId, code);
      const { name } = describeReject(code);
      // The resource only: a `publish:<path>:<user>:<pass>` stream id carries a password.
      const detail = `handshake rejected with ${code} (${name}) for "${streamResource(streamId)}"`;
      options.gate.refused('srt', reason, detail, peer);
    };
    listener.onClose = (failure) => {
      if (this.accepting) options.log.error({ failure }, 'the SRT listener closed');
    };
    this.listener = listener;
    const silenceMs = this.silenceMs;
    this.silenceCheck = setInterval(() => this.dropSilent(silenceMs), Math.min(1000, silenceMs / 2));
    this.silenceCheck.unref();
    options.log.info({ port: listener.port }, 'SRT push listener listening');
  }

  /** Rebuilds the access table; call after every mirror change. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing
      .then(async () => {
        await this.openPassphrases();
        if (this.accepting) this.listener?.setAccess(this.table());
      })
      .catch((error: unknown) =>
        this.options.log.error({ err: error }, 'updating the SRT access table failed'),
      );
    return this.refreshing;
  }

  /** Closes the listening socket; accepted callers stay until their publishers end. */
  stopAccepting(): void {
    this.accepting = false;
    this.listener?.close();
    this.listener = undefined;
  }

  /** Stops accepting and disconnects every caller. */
  close(): void {
    clearInterval(this.silenceCheck);
    this.stopAccepting();
    for (const connection of this.connections) connection.close();
    this.connections.clear();
  }

  private dropSilent(silenceMs: number): void {
    const now = performance.now();
    for (const [connection, watch] of this.watched) {
      if (now - watch.lastData < silenceMs) continue;
      this.options.log.info(
        { route: streamResource(connection.streamId), peer: connection.peer },
        `no data for ${silenceMs / 1000} s; disconnecting the SRT publisher`,
      );
      watch.drop();
    }
  }

  private table() {
    const { mirror, replica } = this.options;
    return buildAccessTable({
      routes: mirror.routes(),
      active: (key) => mirror.active(key),
      replica,
      passphrase: (_key, route) => this.lookup(route),
    });
  }

  private lookup(route: RouteEntry): PassphraseLookup {
    const sealed = route.srt?.sealed;
    if (sealed === undefined) return { problem: 'no SRT passphrase registered' };
    if (this.options.openSealed === undefined) return { problem: 'no sealing key' };
    return this.opened.get(sealed) ?? { problem: 'not opened yet' };
  }

  /** Opens the seals not seen before; forgets those no route uses any more. */
  private async openPassphrases(): Promise<void> {
    const open = this.options.openSealed;
    if (open === undefined) return;
    const inUse = new Map<string, RouteKey>();
    for (const [key, route] of this.options.mirror.routes())
      if (route.srt?.sealed !== undefined) inUse.set(route.srt.sealed, key);
    for (const sealed of this.opened.keys()) if (!inUse.has(sealed)) this.opened.delete(sealed);
    for (const [sealed, key] of inUse) {
      if (this.opened.has(sealed)) continue;
      try {
        this.opened.set(sealed, { passphrase: await open(sealed) });
      } catch (error) {
        const problem = `cannot open the sealed SRT passphrase: ${(error as Error).message}`;
        this.opened.set(sealed, { problem });
        this.options.log.warn(
          { route: key },
          `${problem}; SRT publishers of this route are refused with 1403`,
        );
      }
    }
  }

  /** Takes an accepted caller synchronously; its bytes wait while the gate decides. */
  private accept(connection: SrtConnection): void {
    const { gate, log } = this.options;
    this.connections.add(connection);
    const route = streamResource(connection.streamId);
    const peer = connection.peer;
    let held: Uint8Array[] | undefined = [];
    let heldBytes = 0;
    let publisher: Publisher | undefined;
    let closed = false;
    const disconnect = () => {
      closed = true;
      this.connections.delete(connection);
      this.watched.delete(connection);
      connection.close();
    };
    const watch = {
      lastData: performance.now(),
      drop: () => {
        if (publisher !== undefined) publisher.end(`publisher sent nothing for ${this.silenceMs / 1000} s`);
        else gate.refused('srt', 'idle', 'sent nothing after the handshake', peer);
        disconnect();
      },
    };
    this.watched.set(connection, watch);
    connection.onData = (chunk) => {
      watch.lastData = performance.now();
      if (publisher !== undefined) publisher.relay(chunk);
      else if (held !== undefined) {
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes > MAX_HELD_BYTES) {
          log.warn({ route, peer }, 'admission took too long; disconnecting the SRT publisher');
          held = undefined;
          disconnect();
        }
      }
    };
    connection.onClose = () => {
      closed = true;
      this.connections.delete(connection);
      this.watched.delete(connection);
      publisher?.end('publisher disconnected');
    };
    void gate.admit({ protocol: 'srt', route, peer }).then((admission) => {
      if (!admission.ok) {
        if (!closed) disconnect();
        return;
      }
      if (closed) {
        admission.publisher.end('publisher disconnected');
        return;
      }
      publisher = admission.publisher;
      publisher.onRevoked = () => disconnect();
      for (const chunk of held ?? []) publisher.relay(chunk);
      held = undefined;
    });
  }
}
