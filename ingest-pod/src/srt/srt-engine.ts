// The SRT engine: requests to the loop that owns libsrt, and the connections and listeners it owns.
import type { LinkStats } from '../reader/reader-api.js';
import { loadLibsrt } from './libsrt.js';
import { SRT_THREAD_LOST, SRT_UNAVAILABLE, type SrtFailure } from './srt-errors.js';
import { SrtLoop } from './srt-loop.js';
import type { SrtAccessTable, SrtAddress, SrtCommand, SrtEvent } from './srt-messages.js';
import type { SrtSocketOptions } from './srt-url.js';

/** A request the SRT engine refused; `failure` says what libsrt reported. */
export class SrtRequestError extends Error {
  constructor(readonly failure: SrtFailure) {
    super(failure.detail ?? `SRT error ${failure.code}`);
    this.name = 'SrtRequestError';
  }
}

/** One connected SRT socket (caller, or accepted by a listener) receiving TS. */
export class SrtConnection {
  /** Latest link statistics, refreshed about once a second. */
  stats: LinkStats | undefined;
  /** Batches of received bytes (whole SRT messages, so TS-aligned when the sender is). */
  onData: (chunk: Uint8Array) => void = () => undefined;
  /** The socket ended on its own (peer closed, link broken); it is closed already. */
  onClose: (failure: SrtFailure) => void = () => undefined;

  constructor(
    readonly sock: number,
    private readonly engine: SrtEngine,
    /** The stream id the caller sent (accepted sockets). */
    readonly streamId = '',
    /** `address:port` of the caller (accepted sockets). */
    readonly peer = '',
  ) {}

  close(): void {
    this.engine.closeSocket(this.sock);
  }
}

/** A listening SRT socket; accepted callers arrive through `onConnection`. */
export class SrtListener {
  /** Must take the connection synchronously (its first data may follow at once); default: close it. */
  onConnection: (connection: SrtConnection) => void = (c) => c.close();
  /** A handshake the access table refused with `code`. */
  onRefused: (streamId: string, code: number, peer: string) => void = () => undefined;
  onClose: (failure: SrtFailure) => void = () => undefined;

  constructor(
    readonly sock: number,
    readonly port: number,
    private readonly engine: SrtEngine,
  ) {}

  /** Replaces the access table (undefined: accept every caller). */
  setAccess(access: SrtAccessTable | undefined): void {
    this.engine.send({ op: 'set-access', sock: this.sock, access });
  }

  close(): void {
    this.engine.closeSocket(this.sock);
  }
}

type Pending = { resolve: (event: SrtEvent) => void; reject: (err: Error) => void };

/**
 * Every SRT socket of the process, in one loop on the JS thread (see srt-loop.ts). libsrt loads
 * on first use; the loop waits only while a socket is open, so it never keeps the process alive
 * by itself.
 */
export class SrtEngine {
  private loop: SrtLoop | undefined;
  private unavailable: string | undefined;
  /** libsrt's version, once loaded. */
  version: string | undefined;
  private nextReq = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly connections = new Map<number, SrtConnection>();
  private readonly listeners = new Map<number, SrtListener>();

  /** Connects to a listener; resolves once the handshake is done. */
  async connect(
    address: SrtAddress,
    options: SrtSocketOptions,
    signal?: AbortSignal,
  ): Promise<SrtConnection> {
    const event = await this.request((req) => ({ op: 'connect', req, address, options }), signal);
    if (event.type !== 'connected') throw new Error(`unexpected reply ${event.type}`);
    const connection = new SrtConnection(event.sock, this);
    this.connections.set(event.sock, connection);
    return connection;
  }

  /** Binds and listens (port 0: any free port, see `listener.port`). */
  async listen(
    address: SrtAddress,
    options: SrtSocketOptions,
    extra: { backlog?: number; access?: SrtAccessTable } = {},
  ): Promise<SrtListener> {
    const backlog = extra.backlog ?? 16;
    const event = await this.request((req) => {
      const command: SrtCommand = { op: 'listen', req, address, options, backlog };
      if (extra.access !== undefined) command.access = extra.access;
      return command;
    });
    if (event.type !== 'listening') throw new Error(`unexpected reply ${event.type}`);
    const listener = new SrtListener(event.sock, event.port, this);
    this.listeners.set(event.sock, listener);
    return listener;
  }

  /** Sockets currently open through this engine. */
  get openSockets(): number {
    return this.connections.size + this.listeners.size;
  }

  closeSocket(sock: number): void {
    if (!this.connections.delete(sock) && !this.listeners.delete(sock)) return;
    this.send({ op: 'close', sock });
  }

  /** Closes every socket and ends libsrt's use; the next request starts it again. */
  async shutdown(): Promise<void> {
    if (this.loop === undefined) return;
    this.failAll('the SRT engine was shut down');
    // The loop closes the sockets at once and ends libsrt once its wait in flight returned.
    const done = this.request((req) => ({ op: 'shutdown', req }));
    this.loop = undefined;
    await done.catch(() => undefined);
  }

  send(command: SrtCommand): void {
    this.start().handle(command);
  }

  private request(make: (req: number) => SrtCommand, signal?: AbortSignal): Promise<SrtEvent> {
    try {
      this.start();
    } catch {
      return Promise.reject(new SrtRequestError({ code: SRT_UNAVAILABLE, detail: this.unavailable }));
    }
    const req = this.nextReq++;
    return new Promise<SrtEvent>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(req)) return;
        this.send({ op: 'close', req });
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(req, {
        resolve: (event) => {
          settle();
          if (event.type === 'failed') reject(new SrtRequestError(event.failure));
          else resolve(event);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      });
      this.send(make(req));
    });
  }

  /** The loop, started on first use; throws (and keeps saying why) when libsrt cannot load. */
  private start(): SrtLoop {
    if (this.loop !== undefined) return this.loop;
    if (this.unavailable !== undefined) throw new Error(this.unavailable);
    try {
      const lib = loadLibsrt();
      const v = lib.getversion();
      this.version = `${v >> 16}.${(v >> 8) & 0xff}.${v & 0xff}`;
      // Events are handled after the command that caused them has returned, as they would be
      // from another thread: no callback runs inside the loop's own bookkeeping.
      this.loop = new SrtLoop(lib, (event) => queueMicrotask(() => this.receive(event)));
      return this.loop;
    } catch (err) {
      this.unavailable = `libsrt is not available: ${err instanceof Error ? err.message : String(err)}`;
      throw err;
    }
  }

  private failAll(reason: string, code = SRT_THREAD_LOST): void {
    const failure: SrtFailure = { code, detail: reason };
    for (const p of this.pending.values()) p.reject(new SrtRequestError(failure));
    this.pending.clear();
    const connections = [...this.connections.values()];
    const listeners = [...this.listeners.values()];
    this.connections.clear();
    this.listeners.clear();
    for (const c of connections) c.onClose(failure);
    for (const l of listeners) l.onClose(failure);
  }

  private receive(event: SrtEvent): void {
    switch (event.type) {
      case 'data':
        this.connections.get(event.sock)?.onData(new Uint8Array(event.data));
        return;
      case 'stats': {
        const connection = this.connections.get(event.sock);
        if (connection !== undefined) connection.stats = event.stats;
        return;
      }
      case 'accepted':
        this.accepted(event);
        return;
      case 'refused':
        this.listeners.get(event.listener)?.onRefused(event.streamId, event.code, event.peer);
        return;
      case 'closed': {
        const owner = this.connections.get(event.sock) ?? this.listeners.get(event.sock);
        this.connections.delete(event.sock);
        this.listeners.delete(event.sock);
        owner?.onClose(event.failure);
        return;
      }
      default: {
        const pending = this.pending.get(event.req);
        this.pending.delete(event.req);
        // A reply to a request given up on (aborted connect): its socket is not wanted.
        if (pending === undefined && (event.type === 'connected' || event.type === 'listening')) {
          this.send({ op: 'close', sock: event.sock });
        }
        pending?.resolve(event);
      }
    }
  }

  private accepted(event: Extract<SrtEvent, { type: 'accepted' }>): void {
    const listener = this.listeners.get(event.listener);
    if (listener === undefined) {
      this.send({ op: 'close', sock: event.sock });
      return;
    }
    const connection = new SrtConnection(event.sock, this, event.streamId, event.peer);
    this.connections.set(event.sock, connection);
    listener.onConnection(connection);
  }
}

let shared: SrtEngine | undefined;

/** The process-wide SRT engine every SRT reader and listener uses. */
export function sharedSrtEngine(): SrtEngine {
  shared ??= new SrtEngine();
  return shared;
}
