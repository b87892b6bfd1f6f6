// The main thread's side of the SRT thread: requests, and the connections and listeners it owns.
import { Worker } from 'node:worker_threads';
import type { LinkStats } from '../reader/reader-api.js';
import { SRT_THREAD_LOST, SRT_UNAVAILABLE, type SrtFailure } from './srt-errors.js';
import type { SrtAccessTable, SrtAddress, SrtCommand, SrtEvent } from './srt-messages.js';
import type { SrtSocketOptions } from './srt-url.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Under tsx the worker runs from source; in the image it is the bundle next to the main bundle. */
const WORKER_FILE = FROM_SOURCE
  ? new URL('./srt-thread.ts', import.meta.url)
  : new URL('./srt-thread.mjs', import.meta.url);

/**
 * A worker inherits `--import tsx` from the command line, but not tsx registered through its API
 * (bin/tributary.js does that): then the worker is told to load tsx itself.
 */
function workerExecArgv(): string[] | undefined {
  if (!FROM_SOURCE || process.execArgv.some((arg) => arg.includes('tsx'))) return undefined;
  return [...process.execArgv, '--import', import.meta.resolve('tsx')];
}

/** A request the SRT thread refused; `failure` says what libsrt reported. */
export class SrtRequestError extends Error {
  constructor(readonly failure: SrtFailure) {
    super(failure.detail ?? `SRT error ${failure.code}`);
    this.name = 'SrtRequestError';
  }
}

/** One connected SRT socket (caller, or accepted by a listener) receiving TS. */
export class SrtConnection {
  /** Latest link statistics, refreshed by the SRT thread about once a second. */
  stats: LinkStats | undefined;
  /** Batches of received bytes (whole SRT messages, so TS-aligned when the sender is). */
  onData: (chunk: Uint8Array) => void = () => undefined;
  /** The socket ended on its own (peer closed, link broken); it is closed already. */
  onClose: (failure: SrtFailure) => void = () => undefined;

  constructor(
    readonly sock: number,
    private readonly thread: SrtThread,
    /** The stream id the caller sent (accepted sockets). */
    readonly streamId = '',
    /** `address:port` of the caller (accepted sockets). */
    readonly peer = '',
  ) {}

  close(): void {
    this.thread.closeSocket(this.sock);
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
    private readonly thread: SrtThread,
  ) {}

  /** Replaces the access table (undefined: accept every caller). */
  setAccess(access: SrtAccessTable | undefined): void {
    this.thread.send({ op: 'set-access', sock: this.sock, access });
  }

  close(): void {
    this.thread.closeSocket(this.sock);
  }
}

type Pending = { resolve: (event: SrtEvent) => void; reject: (err: Error) => void };

/**
 * The one worker thread that owns every SRT socket. Started on first use; unref'd whenever no
 * socket or request is open, so it never keeps the process alive by itself.
 */
export class SrtThread {
  private worker: Worker | undefined;
  private unavailable: string | undefined;
  /** libsrt's version, once the thread has loaded it. */
  version: string | undefined;
  /** Sockets of a thread that died with libsrt started: the next thread closes them. */
  private orphans: number[] | undefined;
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
    this.refresh();
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
    this.refresh();
    return listener;
  }

  /** Sockets currently open through this thread. */
  get openSockets(): number {
    return this.connections.size + this.listeners.size;
  }

  closeSocket(sock: number): void {
    if (!this.connections.delete(sock) && !this.listeners.delete(sock)) return;
    this.send({ op: 'close', sock });
    this.refresh();
  }

  /** Stops the thread (every socket with it); the next request starts a new one. */
  async shutdown(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    // libsrt's sockets outlive a terminated thread: have the thread close them first.
    const closed = this.request((req) => ({ op: 'shutdown', req })).then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref());
    if (!(await Promise.race([closed, timeout])) && this.version !== undefined)
      this.orphans = this.socketIds();
    this.worker = undefined;
    this.failAll('the SRT thread was shut down');
    await worker.terminate();
  }

  send(command: SrtCommand): void {
    this.start().postMessage(command);
  }

  private request(make: (req: number) => SrtCommand, signal?: AbortSignal): Promise<SrtEvent> {
    if (this.unavailable !== undefined) {
      return Promise.reject(new SrtRequestError({ code: SRT_UNAVAILABLE, detail: this.unavailable }));
    }
    const req = this.nextReq++;
    return new Promise<SrtEvent>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(req)) return;
        this.send({ op: 'close', req });
        this.refresh();
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
      this.refresh();
    });
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const execArgv = workerExecArgv();
    const worker = new Worker(WORKER_FILE, {
      name: 'srt',
      workerData: { orphans: this.orphans },
      ...(execArgv !== undefined ? { execArgv } : {}),
    });
    this.orphans = undefined;
    worker.on('message', (event: SrtEvent) => this.receive(event));
    worker.on('error', (err) => this.lost(worker, err.message));
    worker.on('exit', (code) => this.lost(worker, `exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** A thread that dies before loading libsrt (koffi missing) will not do better next time. */
  private lost(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.version === undefined) {
      this.unavailable = `the SRT thread could not start: ${reason}`;
      this.failAll(this.unavailable, SRT_UNAVAILABLE);
    } else {
      this.orphans = this.socketIds();
      this.failAll(`the SRT thread failed: ${reason}`, SRT_THREAD_LOST);
    }
  }

  private socketIds(): number[] {
    return [...this.connections.keys(), ...this.listeners.keys()];
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

  private refresh(): void {
    const busy = this.pending.size + this.connections.size + this.listeners.size > 0;
    if (busy) this.worker?.ref();
    else this.worker?.unref();
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
        this.refresh();
        owner?.onClose(event.failure);
        return;
      }
      case 'ready':
        this.version = event.version;
        return;
      case 'unavailable':
        this.unavailable = `libsrt is not available: ${event.reason}`;
        this.failAll(this.unavailable, SRT_UNAVAILABLE);
        return;
      default: {
        const pending = this.pending.get(event.req);
        this.pending.delete(event.req);
        // A reply to a request given up on (aborted connect): its socket is not wanted.
        if (pending === undefined && (event.type === 'connected' || event.type === 'listening')) {
          this.send({ op: 'close', sock: event.sock });
        }
        pending?.resolve(event);
        this.refresh();
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
    this.refresh();
    listener.onConnection(connection);
  }
}

let shared: SrtThread | undefined;

/** The process-wide SRT thread every SRT reader and listener uses. */
export function sharedSrtThread(): SrtThread {
  shared ??= new SrtThread();
  return shared;
}
