// The SRT engine's loop: one srt_epoll over every socket, waited on by a single srt_epoll_uwait
// on libuv's threadpool (koffi .async), so the JS thread never blocks and no thread of our own is
// needed. Each wake drains the ready sockets and hands their bytes on. Runs while a socket is open.
import {
  type Libsrt,
  SRT_EPOLL_ENABLE_EMPTY,
  SRT_EPOLL_ERR,
  SRT_EPOLL_IN,
  SRT_EPOLL_OUT,
  SRTS_CONNECTED,
} from './libsrt.js';
import { readLinkStats } from './link-stats.js';
import { formatSockaddr, SOCKADDR_MAX } from './sockaddr.js';
import { decideAccess } from './srt-access.js';
import { SRT_EASYNCRCV, SRT_ECONNLOST, SRT_ECONNREJ, type SrtFailure } from './srt-errors.js';
import type { SrtAccessTable, SrtCommand, SrtEvent } from './srt-messages.js';
import {
  installListenHook,
  lastFailure,
  openListener,
  readStreamId,
  SrtCallError,
  startConnect,
} from './srt-socket-setup.js';

/**
 * Longest srt_epoll_uwait: how late a new socket's first event and the stats can be, and how long
 * a shutdown waits for the call in flight.
 */
const WAIT_MS = 100;
/**
 * After a wake that read data, the next wait starts this much later, so a source that delivers
 * packet by packet is read in batches (SRT's own latency, 120 ms by default, dwarfs it).
 */
const COALESCE_MS = 10;
const MAX_EVENTS = 64;
/** Messages per handed-on chunk at most (the scratch buffer's size). */
const BATCH_MESSAGES = 64;
/** Largest live-mode payload (SRTO_PAYLOADSIZE max). */
const MAX_PAYLOAD = 1456;
const STATS_INTERVAL_MS = 1000;
/** A closed listener's callback stays registered this long: a handshake may still be calling it. */
const CALLBACK_GRACE_MS = 5000;

interface Connecting {
  kind: 'connecting';
  req: number;
}
interface Receiving {
  kind: 'data';
  scratch: Uint8Array;
  bytes: number;
  messages: number;
  statsAt: number;
  retransmitted: number;
  listener?: number;
  key?: string;
}
interface Listening {
  kind: 'listener';
  access?: SrtAccessTable | undefined;
  /** The registered listen hook, once an access table was set. */
  callback?: unknown;
  /** Accepted callers still connected, by access key (for exclusive entries). */
  connected: Map<string, number>;
}
type Socket = Connecting | Receiving | Listening;

export type Post = (event: SrtEvent, transfer?: ArrayBuffer[]) => void;

export class SrtLoop {
  private readonly eid: number;
  private readonly sockets = new Map<number, Socket>();
  private readonly ready = new Int32Array(2 * MAX_EVENTS);
  private readonly stats: Buffer;
  /** An srt_epoll_uwait is in flight, or one is about to start. */
  private waiting = false;
  /** Runs once the wait in flight has returned (libsrt must not be cleaned up under it). */
  private afterWait: (() => void) | undefined;

  constructor(
    private readonly lib: Libsrt,
    private readonly post: Post,
  ) {
    this.eid = lib.epollCreate();
    lib.epollSet(this.eid, SRT_EPOLL_ENABLE_EMPTY);
    this.stats = lib.statsBuffer();
  }

  handle(command: SrtCommand): void {
    try {
      this.dispatch(command);
    } catch (err) {
      if (!('req' in command) || command.req === undefined) return;
      const failure = err instanceof SrtCallError ? err.failure : { code: -1, detail: String(err) };
      this.post({ type: 'failed', req: command.req, failure });
    }
    this.schedule();
  }

  private dispatch(command: SrtCommand): void {
    switch (command.op) {
      case 'connect': {
        const sock = startConnect(this.lib, command.address, command.options);
        this.watch(sock, { kind: 'connecting', req: command.req }, SRT_EPOLL_OUT | SRT_EPOLL_ERR);
        return;
      }
      case 'listen': {
        const { sock, port } = openListener(this.lib, command.address, command.options, command.backlog);
        const listener: Listening = { kind: 'listener', connected: new Map() };
        this.watch(sock, listener, SRT_EPOLL_IN | SRT_EPOLL_ERR);
        try {
          this.setAccess(sock, listener, command.access);
        } catch (err) {
          this.drop(sock);
          throw err;
        }
        this.post({ type: 'listening', req: command.req, sock, port });
        return;
      }
      case 'set-access': {
        const listener = this.sockets.get(command.sock);
        if (listener?.kind === 'listener') this.setAccess(command.sock, listener, command.access);
        return;
      }
      case 'close': {
        let sock = command.sock;
        if (command.req !== undefined) {
          for (const [s, state] of this.sockets)
            if (state.kind === 'connecting' && state.req === command.req) sock = s;
        }
        if (sock !== undefined && this.sockets.has(sock)) this.drop(sock);
        return;
      }
      case 'shutdown': {
        for (const sock of [...this.sockets.keys()]) this.drop(sock);
        // srt_startup counts its callers and libsrt's exit-time destructor only stops its GC
        // thread when the count drops to zero: whoever started libsrt must end it, or a later
        // startup leaves the count above zero and the process crashes at exit.
        const end = () => {
          this.lib.cleanup();
          this.post({ type: 'shut-down', req: command.req });
        };
        if (this.waiting) this.afterWait = end;
        else end();
        return;
      }
    }
  }

  private watch(sock: number, state: Socket, events: number): void {
    this.sockets.set(sock, state);
    this.lib.epollAdd(this.eid, sock, Int32Array.of(events));
  }

  private receiving(extra: Partial<Receiving> = {}): Receiving {
    const now = performance.now();
    const scratch = new Uint8Array(BATCH_MESSAGES * MAX_PAYLOAD);
    return {
      kind: 'data',
      scratch,
      bytes: 0,
      messages: 0,
      statsAt: now,
      retransmitted: 0,
      ...extra,
    };
  }

  /** Closes a socket and forgets it; an accepted one frees its key on the listener. */
  private drop(sock: number): void {
    const state = this.sockets.get(sock);
    this.sockets.delete(sock);
    this.lib.epollRemove(this.eid, sock);
    this.lib.close(sock);
    if (state?.kind === 'data' && state.listener !== undefined && state.key !== undefined) {
      const listener = this.sockets.get(state.listener);
      if (listener?.kind === 'listener') {
        const left = (listener.connected.get(state.key) ?? 1) - 1;
        if (left > 0) listener.connected.set(state.key, left);
        else listener.connected.delete(state.key);
      }
    }
    if (state?.kind === 'listener' && state.callback !== undefined) {
      const callback = state.callback;
      setTimeout(() => this.lib.unregister(callback), CALLBACK_GRACE_MS).unref();
    }
  }

  private schedule(delayMs = 0): void {
    if (this.waiting || this.sockets.size === 0) return;
    this.waiting = true;
    const wait = () =>
      this.lib.epollUwaitAsync(this.eid, this.ready, MAX_EVENTS, WAIT_MS, (_err, n) => this.woken(n));
    if (delayMs > 0) setTimeout(wait, delayMs);
    else wait();
  }

  private woken(n: number): void {
    this.waiting = false;
    const after = this.afterWait;
    if (after !== undefined) {
      this.afterWait = undefined;
      after();
      return;
    }
    let read = 0;
    for (let i = 0; i < n; i++) {
      const sock = this.ready[2 * i] ?? -1;
      const events = this.ready[2 * i + 1] ?? 0;
      const state = this.sockets.get(sock);
      if (state?.kind === 'connecting') this.connecting(sock, state, events);
      else if (state?.kind === 'listener') this.acceptAll(sock, state, events);
      else if (state?.kind === 'data') read += this.drain(sock, state, events);
    }
    const now = performance.now();
    for (const [sock, state] of this.sockets) {
      if (state.kind !== 'data') continue;
      this.flush(sock, state);
      if (now >= state.statsAt) this.sendStats(sock, state, now);
    }
    this.schedule(read > 0 ? COALESCE_MS : 0);
  }

  private connecting(sock: number, state: Connecting, events: number): void {
    if (events & SRT_EPOLL_ERR || this.lib.getsockstate(sock) !== SRTS_CONNECTED) {
      const reject = this.lib.getrejectreason(sock);
      this.drop(sock);
      this.post({ type: 'failed', req: state.req, failure: { code: SRT_ECONNREJ, reject } });
      return;
    }
    this.sockets.set(sock, this.receiving());
    this.lib.epollUpdate(this.eid, sock, Int32Array.of(SRT_EPOLL_IN | SRT_EPOLL_ERR));
    this.post({ type: 'connected', req: state.req, sock });
  }

  /**
   * Reads every message waiting; a failed read ends the socket (after handing on what came
   * before). Returns how many messages it read.
   */
  private drain(sock: number, state: Receiving, events: number): number {
    for (let read = 0; ; read++) {
      if (state.bytes + MAX_PAYLOAD > state.scratch.length) this.flush(sock, state);
      const got = this.lib.recvmsg(sock, state.scratch.subarray(state.bytes), MAX_PAYLOAD);
      if (got > 0) {
        state.bytes += got;
        if (++state.messages >= BATCH_MESSAGES) this.flush(sock, state);
        continue;
      }
      // Nothing more to read is the usual way out: only a real failure is worth libsrt's text.
      const code = got < 0 ? this.lib.getlasterror(null) : 0;
      if (code !== 0 && code !== SRT_EASYNCRCV) this.end(sock, state, lastFailure(this.lib));
      else if (events & SRT_EPOLL_ERR) this.end(sock, state, { code: SRT_ECONNLOST });
      return read;
    }
  }

  private end(sock: number, state: Receiving, failure: SrtFailure): void {
    this.flush(sock, state);
    this.drop(sock);
    this.post({ type: 'closed', sock, failure });
  }

  private flush(sock: number, state: Receiving): void {
    if (state.bytes === 0) return;
    const data = state.scratch.buffer.slice(0, state.bytes) as ArrayBuffer;
    state.bytes = 0;
    state.messages = 0;
    this.post({ type: 'data', sock, data }, [data]);
  }

  private sendStats(sock: number, state: Receiving, now: number): void {
    state.statsAt = now + STATS_INTERVAL_MS;
    if (this.lib.bistats(sock, this.stats, 1, 1) < 0) return;
    const stats = readLinkStats(this.stats, this.lib.statsOffsets, state.retransmitted);
    state.retransmitted = stats.packetsRetransmitted;
    this.post({ type: 'stats', sock, stats });
  }

  private acceptAll(listenerSock: number, listener: Listening, events: number): void {
    const peer = Buffer.alloc(SOCKADDR_MAX);
    const length = new Int32Array(1);
    for (;;) {
      length[0] = SOCKADDR_MAX;
      const sock = this.lib.accept(listenerSock, peer, length);
      if (sock < 0) {
        if (this.lib.getlasterror(null) !== SRT_EASYNCRCV || events & SRT_EPOLL_ERR) {
          const failure = lastFailure(this.lib);
          this.drop(listenerSock);
          this.post({ type: 'closed', sock: listenerSock, failure });
        }
        return;
      }
      const streamId = readStreamId(this.lib, sock);
      const state = this.receiving({ listener: listenerSock });
      if (listener.access !== undefined) {
        const key = decideAccess(listener.access, streamId, () => 0).key;
        state.key = key;
        listener.connected.set(key, (listener.connected.get(key) ?? 0) + 1);
      }
      this.watch(sock, state, SRT_EPOLL_IN | SRT_EPOLL_ERR);
      this.post({ type: 'accepted', listener: listenerSock, sock, streamId, peer: formatSockaddr(peer) });
    }
  }

  /** Installs (or removes) handshake-time access control on a listener. */
  private setAccess(sock: number, listener: Listening, access: SrtAccessTable | undefined): void {
    listener.access = access;
    if (access === undefined || listener.callback !== undefined) return;
    listener.callback = installListenHook(this.lib, sock, (streamId, peer) => {
      const table = listener.access;
      if (table === undefined) return { accept: true };
      const decision = decideAccess(table, streamId, (key) => listener.connected.get(key) ?? 0);
      if (!decision.accept)
        this.post({ type: 'refused', listener: sock, streamId, peer, code: decision.code });
      return decision;
    });
  }
}
