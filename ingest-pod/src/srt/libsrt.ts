// The subset of libsrt 1.5 (srt/srt.h) the SRT engine uses, bound with koffi. koffi and the
// native library load on the first loadLibsrt(), so a pod without SRT inputs never pays for them.
import { createRequire as requireFrom } from 'node:module'; // not `createRequire`: the bundle's banner declares that name
import type { KoffiFunc, LibraryHandle, TypeObject } from 'koffi';

type Koffi = typeof import('koffi');

/** Debian's OpenSSL build. ffmpeg links `libsrt-gnutls.so.1.5`; both may be installed side by side. */
export const LIBSRT_FILE = 'libsrt.so.1.5';

/** SRT_SOCKOPT values used here. */
export const SRTO = {
  SNDSYN: 1,
  RCVSYN: 2,
  LATENCY: 23,
  PASSPHRASE: 26,
  PBKEYLEN: 27,
  CONNTIMEO: 36,
  RCVLATENCY: 43,
  PEERLATENCY: 44,
  STREAMID: 46,
  PAYLOADSIZE: 49,
  TRANSTYPE: 50,
} as const;

export const SRTT_LIVE = 0;
export const SRT_EPOLL_IN = 0x1;
export const SRT_EPOLL_OUT = 0x4;
export const SRT_EPOLL_ERR = 0x8;
/** srt_epoll_set flag: waiting on an empty epoll is not an error. */
export const SRT_EPOLL_ENABLE_EMPTY = 1;
/** SRT_SOCKSTATUS */
export const SRTS_CONNECTED = 5;
export const SRTS_BROKEN = 6;
/** syslog's LOG_CRIT: libsrt only prints fatal conditions. Our errors carry what it would log. */
const LOG_CRIT = 2;

const i32 = 'int32_t';
const i64 = 'int64_t';
const u64 = 'uint64_t';
const f64 = 'double';

/**
 * SRT_TRACEBSTATS (struct CBytePerfMon) of libsrt 1.5.1: 496 bytes on x86-64, checked against
 * the header with a C program (offsetof msRTT = 328, msRcvTsbPdDelay = 392). koffi lays it out
 * with C alignment; `loadLibsrt` refuses to run if the size ever differs.
 */
const traceBStats = (koffi: Koffi): TypeObject =>
  koffi.struct('SRT_TRACEBSTATS', {
    msTimeStamp: i64,
    pktSentTotal: i64,
    pktRecvTotal: i64,
    pktSndLossTotal: i32,
    pktRcvLossTotal: i32,
    pktRetransTotal: i32,
    pktSentACKTotal: i32,
    pktRecvACKTotal: i32,
    pktSentNAKTotal: i32,
    pktRecvNAKTotal: i32,
    usSndDurationTotal: i64,
    pktSndDropTotal: i32,
    pktRcvDropTotal: i32,
    pktRcvUndecryptTotal: i32,
    byteSentTotal: u64,
    byteRecvTotal: u64,
    byteRcvLossTotal: u64,
    byteRetransTotal: u64,
    byteSndDropTotal: u64,
    byteRcvDropTotal: u64,
    byteRcvUndecryptTotal: u64,
    pktSent: i64,
    pktRecv: i64,
    pktSndLoss: i32,
    pktRcvLoss: i32,
    pktRetrans: i32,
    pktRcvRetrans: i32,
    pktSentACK: i32,
    pktRecvACK: i32,
    pktSentNAK: i32,
    pktRecvNAK: i32,
    mbpsSendRate: f64,
    mbpsRecvRate: f64,
    usSndDuration: i64,
    pktReorderDistance: i32,
    pktRcvAvgBelatedTime: f64,
    pktRcvBelated: i64,
    pktSndDrop: i32,
    pktRcvDrop: i32,
    pktRcvUndecrypt: i32,
    byteSent: u64,
    byteRecv: u64,
    byteRcvLoss: u64,
    byteRetrans: u64,
    byteSndDrop: u64,
    byteRcvDrop: u64,
    byteRcvUndecrypt: u64,
    usPktSndPeriod: f64,
    pktFlowWindow: i32,
    pktCongestionWindow: i32,
    pktFlightSize: i32,
    msRTT: f64,
    mbpsBandwidth: f64,
    byteAvailSndBuf: i32,
    byteAvailRcvBuf: i32,
    mbpsMaxBW: f64,
    byteMSS: i32,
    pktSndBuf: i32,
    byteSndBuf: i32,
    msSndBuf: i32,
    msSndTsbPdDelay: i32,
    pktRcvBuf: i32,
    byteRcvBuf: i32,
    msRcvBuf: i32,
    msRcvTsbPdDelay: i32,
    pktSndFilterExtraTotal: i32,
    pktRcvFilterExtraTotal: i32,
    pktRcvFilterSupplyTotal: i32,
    pktRcvFilterLossTotal: i32,
    pktSndFilterExtra: i32,
    pktRcvFilterExtra: i32,
    pktRcvFilterSupply: i32,
    pktRcvFilterLoss: i32,
    pktReorderTolerance: i32,
    pktSentUniqueTotal: i64,
    pktRecvUniqueTotal: i64,
    byteSentUniqueTotal: u64,
    byteRecvUniqueTotal: u64,
    pktSentUnique: i64,
    pktRecvUnique: i64,
    byteSentUnique: u64,
    byteRecvUnique: u64,
  });
const TRACEBSTATS_SIZE = 496;

/** The stats fields the SRT engine reads, by byte offset in a TRACEBSTATS buffer. */
export type StatsOffsets = Record<
  | 'pktRecvTotal'
  | 'pktRcvLossTotal'
  | 'pktRcvDropTotal'
  | 'pktRcvRetrans'
  | 'mbpsRecvRate'
  | 'msRTT'
  | 'mbpsBandwidth'
  | 'msRcvBuf'
  | 'msRcvTsbPdDelay',
  number
>;

function statsOffsets(koffi: Koffi, struct: TypeObject): StatsOffsets {
  const at = (field: string) => koffi.offsetof(struct, field);
  return {
    pktRecvTotal: at('pktRecvTotal'),
    pktRcvLossTotal: at('pktRcvLossTotal'),
    pktRcvDropTotal: at('pktRcvDropTotal'),
    pktRcvRetrans: at('pktRcvRetrans'),
    mbpsRecvRate: at('mbpsRecvRate'),
    msRTT: at('msRTT'),
    mbpsBandwidth: at('mbpsBandwidth'),
    msRcvBuf: at('msRcvBuf'),
    msRcvTsbPdDelay: at('msRcvTsbPdDelay'),
  };
}

/**
 * srt_listen_callback_fn. libsrt calls it on its receiver thread mid-handshake and waits while
 * koffi runs it on the JS thread, so it must answer at once: from a table, never with I/O.
 */
const LISTEN_CALLBACK =
  'int srt_listen_callback_fn(void *opaque, int ns, int hsversion, const void *peeraddr, const char *streamid)';

type Bytes = Uint8Array;

/** The libsrt calls used, typed. Sockets and epoll ids are ints; -1 means failure (see getlasterror). */
export interface Libsrt {
  startup(): number;
  cleanup(): number;
  setloglevel(level: number): void;
  getversion(): number;
  createSocket(): number;
  bind(sock: number, name: Bytes, nameLength: number): number;
  listen(sock: number, backlog: number): number;
  accept(sock: number, peer: Bytes, peerLength: Int32Array): number;
  listenCallback(sock: number, hook: unknown, opaque: null): number;
  connect(sock: number, name: Bytes, nameLength: number): number;
  close(sock: number): number;
  getsockname(sock: number, name: Bytes, nameLength: Int32Array): number;
  setsockflag(sock: number, option: number, value: Bytes | Int32Array, length: number): number;
  getsockflag(sock: number, option: number, value: Bytes, length: Int32Array): number;
  getsockstate(sock: number): number;
  recvmsg(sock: number, buf: Bytes, length: number): number;
  getlasterror(errnoLoc: null): number;
  getlasterrorStr(): string;
  getrejectreason(sock: number): number;
  setrejectreason(sock: number, code: number): number;
  /** Fills a statsBuffer() with SRT_TRACEBSTATS; clear resets the interval counters. */
  bistats(sock: number, stats: Bytes, clear: number, instantaneous: number): number;
  epollCreate(): number;
  epollSet(eid: number, flags: number): number;
  epollAdd(eid: number, sock: number, events: Int32Array): number;
  epollUpdate(eid: number, sock: number, events: Int32Array): number;
  epollRemove(eid: number, sock: number): number;
  /** `ready` receives SRT_EPOLL_EVENT {int fd; int events} pairs; returns how many. */
  epollUwait(eid: number, ready: Int32Array, capacity: number, timeoutMs: number): number;
  /**
   * srt_epoll_uwait on a libuv threadpool thread; `done` runs on the JS thread. `ready` must not
   * be touched until then. One such call in flight serves every socket of the epoll.
   */
  epollUwaitAsync(
    eid: number,
    ready: Int32Array,
    capacity: number,
    timeoutMs: number,
    done: (err: unknown, count: number) => void,
  ): void;
  /** Byte offsets of the stats fields in a statsBuffer(). */
  statsOffsets: StatsOffsets;
  /** Allocates a buffer sized for bistats. */
  statsBuffer(): Buffer;
  /** Makes a listen callback callable from libsrt's threads (it runs on the JS thread). */
  register(callback: ListenHook): unknown;
  unregister(handle: unknown): void;
  /** Copies `length` bytes from a C pointer (the listen callback's peer sockaddr). */
  copyBytes(pointer: unknown, length: number): Uint8Array;
}

export type ListenHook = (
  opaque: unknown,
  sock: number,
  hsVersion: number,
  peer: unknown,
  streamId: string | null,
) => number;

type Bound = Omit<
  Libsrt,
  'statsBuffer' | 'statsOffsets' | 'register' | 'unregister' | 'copyBytes' | 'epollUwaitAsync'
>;

function bind(lib: LibraryHandle): Bound {
  const f = (signature: string) => lib.func(signature);
  return {
    startup: f('int srt_startup()'),
    cleanup: f('int srt_cleanup()'),
    setloglevel: f('void srt_setloglevel(int ll)'),
    getversion: f('uint32_t srt_getversion()'),
    createSocket: f('int srt_create_socket()'),
    bind: f('int srt_bind(int u, const void *name, int namelen)'),
    listen: f('int srt_listen(int u, int backlog)'),
    accept: f('int srt_accept(int u, _Out_ void *addr, _Inout_ int *addrlen)'),
    listenCallback: f('int srt_listen_callback(int lsn, srt_listen_callback_fn *hook, void *opaque)'),
    connect: f('int srt_connect(int u, const void *name, int namelen)'),
    close: f('int srt_close(int u)'),
    getsockname: f('int srt_getsockname(int u, _Out_ void *name, _Inout_ int *namelen)'),
    setsockflag: f('int srt_setsockflag(int u, int opt, const void *optval, int optlen)'),
    getsockflag: f('int srt_getsockflag(int u, int opt, _Out_ void *optval, _Inout_ int *optlen)'),
    getsockstate: f('int srt_getsockstate(int u)'),
    recvmsg: f('int srt_recvmsg(int u, _Out_ void *buf, int len)'),
    getlasterror: f('int srt_getlasterror(_Out_ int *errnoLoc)'),
    getlasterrorStr: f('const char *srt_getlasterror_str()'),
    getrejectreason: f('int srt_getrejectreason(int u)'),
    setrejectreason: f('int srt_setrejectreason(int u, int value)'),
    bistats: f('int srt_bistats(int u, _Out_ void *perf, int clear, int instantaneous)'),
    epollCreate: f('int srt_epoll_create()'),
    epollSet: f('int32_t srt_epoll_set(int eid, int32_t flags)'),
    epollAdd: f('int srt_epoll_add_usock(int eid, int u, const int *events)'),
    epollUpdate: f('int srt_epoll_update_usock(int eid, int u, const int *events)'),
    epollRemove: f('int srt_epoll_remove_usock(int eid, int u)'),
    epollUwait: f('int srt_epoll_uwait(int eid, _Out_ int32_t *fdsSet, int fdsSize, int64_t msTimeOut)'),
  };
}

interface Loaded {
  koffi: Koffi;
  lib: Bound;
  uwait: KoffiFunc<(...args: unknown[]) => number>;
  offsets: StatsOffsets;
  listenCallback: TypeObject;
}
let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded !== undefined) return loaded;
  const koffi = requireFrom(import.meta.url)('koffi') as Koffi;
  const struct = traceBStats(koffi);
  if (koffi.sizeof(struct) !== TRACEBSTATS_SIZE) {
    throw new Error(`SRT_TRACEBSTATS is ${koffi.sizeof(struct)} bytes here, expected ${TRACEBSTATS_SIZE}`);
  }
  const handle = koffi.load(LIBSRT_FILE);
  const listenCallback = koffi.proto(LISTEN_CALLBACK); // before bind(): srt_listen_callback names it
  loaded = {
    koffi,
    lib: bind(handle),
    uwait: handle.func('int srt_epoll_uwait(int eid, _Out_ int32_t *fdsSet, int fdsSize, int64_t msTimeOut)'),
    offsets: statsOffsets(koffi, struct),
    listenCallback,
  };
  return loaded;
}

/**
 * Loads koffi and libsrt (once per process), starts libsrt and silences its stderr logging.
 * Throws when either is missing. Each call is one srt_startup: end it with `cleanup()`, since
 * libsrt's exit-time teardown only stops its threads once the count is back to zero.
 */
export function loadLibsrt(): Libsrt {
  const { koffi, lib, uwait, offsets, listenCallback } = load();
  lib.setloglevel(LOG_CRIT);
  if (lib.startup() < 0) throw new Error('srt_startup failed');
  return {
    ...lib,
    epollUwaitAsync: (eid, ready, capacity, timeoutMs, done) => {
      uwait.async(eid, ready, capacity, timeoutMs, done);
    },
    statsOffsets: offsets,
    statsBuffer: () => Buffer.alloc(TRACEBSTATS_SIZE),
    register: (callback) => koffi.register(callback, koffi.pointer(listenCallback)),
    unregister: (handle) => koffi.unregister(handle as bigint),
    copyBytes: (pointer, length) => Uint8Array.from(koffi.decode(pointer, 'uint8_t', length) as Uint8Array),
  };
}
