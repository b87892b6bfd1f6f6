// Socket creation and options, for the SRT loop.
import type { Libsrt } from './libsrt.js';
import { SRTO, SRTT_LIVE } from './libsrt.js';
import { encodeSockaddr, formatSockaddr, SOCKADDR_MAX, sockaddrPort } from './sockaddr.js';
import type { SrtFailure } from './srt-errors.js';
import type { SrtAddress } from './srt-messages.js';
import type { SrtSocketOptions } from './srt-url.js';

const SRTO_IPV6ONLY = 54;
const MAX_STREAM_ID_BYTES = 512;

/** Thrown inside the SRT loop; carries what libsrt said. */
export class SrtCallError extends Error {
  constructor(readonly failure: SrtFailure) {
    super(failure.detail ?? `SRT error ${failure.code}`);
  }
}

/** The last libsrt error of this (JS) thread as a failure: libsrt keeps errors per thread. */
export function lastFailure(lib: Libsrt, extra: Partial<SrtFailure> = {}): SrtFailure {
  return { code: lib.getlasterror(null), detail: lib.getlasterrorStr(), ...extra };
}

function int32(value: number): Int32Array {
  return Int32Array.of(value);
}

function setInt(lib: Libsrt, sock: number, option: number, value: number): void {
  if (lib.setsockflag(sock, option, int32(value), 4) < 0) throw new SrtCallError(lastFailure(lib));
}

function setString(lib: Libsrt, sock: number, option: number, value: string): void {
  const bytes = Buffer.from(value);
  if (lib.setsockflag(sock, option, bytes, bytes.length) < 0) throw new SrtCallError(lastFailure(lib));
}

/** Sets live mode, non-blocking calls and the URL's options; transtype first, it resets the others. */
export function applyOptions(lib: Libsrt, sock: number, o: SrtSocketOptions): void {
  setInt(lib, sock, SRTO.TRANSTYPE, SRTT_LIVE);
  setInt(lib, sock, SRTO.RCVSYN, 0);
  setInt(lib, sock, SRTO.SNDSYN, 0);
  if (o.latencyMs !== undefined) setInt(lib, sock, SRTO.LATENCY, o.latencyMs);
  if (o.rcvLatencyMs !== undefined) setInt(lib, sock, SRTO.RCVLATENCY, o.rcvLatencyMs);
  if (o.peerLatencyMs !== undefined) setInt(lib, sock, SRTO.PEERLATENCY, o.peerLatencyMs);
  if (o.connectTimeoutMs !== undefined) setInt(lib, sock, SRTO.CONNTIMEO, o.connectTimeoutMs);
  if (o.payloadSize !== undefined) setInt(lib, sock, SRTO.PAYLOADSIZE, o.payloadSize);
  if (o.passphrase !== undefined) setString(lib, sock, SRTO.PASSPHRASE, o.passphrase);
  if (o.pbKeyLen) setInt(lib, sock, SRTO.PBKEYLEN, o.pbKeyLen);
  if (o.streamId !== undefined) setString(lib, sock, SRTO.STREAMID, o.streamId);
}

/** What a listen hook answers a handshake: accept (with this socket's passphrase), or reject. */
export type HookAnswer = { accept: true; passphrase?: string } | { accept: false; code: number };

/**
 * Registers `answer` as the listener's srt_listen_callback. libsrt calls it on its receiver
 * thread mid-handshake and waits while koffi runs it on the JS thread, so it must answer at once,
 * from a table: a busy event loop delays every handshake of the listener. A reject
 * code set with srt_setrejectreason is what the caller reads from srt_getrejectreason.
 */
export function installListenHook(
  lib: Libsrt,
  sock: number,
  answer: (streamId: string, peer: string) => HookAnswer,
): unknown {
  const hook = lib.register((_opaque, ns, _hsVersion, peer, streamId) => {
    const decision = answer(streamId ?? '', peer ? formatSockaddr(lib.copyBytes(peer, SOCKADDR_MAX)) : '');
    if (!decision.accept) {
      lib.setrejectreason(ns, decision.code);
      return -1;
    }
    if (decision.passphrase === undefined) return 0;
    const bytes = Buffer.from(decision.passphrase);
    return lib.setsockflag(ns, SRTO.PASSPHRASE, bytes, bytes.length) >= 0 ? 0 : -1;
  });
  if (lib.listenCallback(sock, hook, null) < 0) {
    const failure = lastFailure(lib);
    lib.unregister(hook);
    throw new SrtCallError(failure);
  }
  return hook;
}

/** A new socket with `options`, closed again if any option is refused. */
export function createSocket(lib: Libsrt, options: SrtSocketOptions): number {
  const sock = lib.createSocket();
  if (sock < 0) throw new SrtCallError(lastFailure(lib));
  try {
    applyOptions(lib, sock, options);
  } catch (err) {
    lib.close(sock);
    throw err;
  }
  return sock;
}

/**
 * Starts a non-blocking connect: libsrt sends the handshake from its own threads and the epoll
 * reports OUT (connected) or ERR (rejected, timed out). A blocking srt_connect would stall every
 * JS thread for up to the connect timeout. A -1 here means no handshake was sent
 * at all (bad address, no route): reported as unreachable.
 */
export function startConnect(lib: Libsrt, address: SrtAddress, options: SrtSocketOptions): number {
  const sock = createSocket(lib, options);
  const name = encodeSockaddr(address);
  if (lib.connect(sock, name, name.length) < 0) {
    const failure = lastFailure(lib, { immediate: true });
    lib.close(sock);
    throw new SrtCallError(failure);
  }
  return sock;
}

/** A bound, listening, non-blocking socket and the port it got (port 0 asks for any). */
export function openListener(
  lib: Libsrt,
  address: SrtAddress,
  options: SrtSocketOptions,
  backlog: number,
): { sock: number; port: number } {
  const sock = createSocket(lib, options);
  try {
    if (address.family === 6 && address.address === '::') setInt(lib, sock, SRTO_IPV6ONLY, 0);
    const name = encodeSockaddr(address);
    if (lib.bind(sock, name, name.length) < 0 || lib.listen(sock, backlog) < 0) {
      throw new SrtCallError(lastFailure(lib));
    }
    const bound = Buffer.alloc(SOCKADDR_MAX);
    const length = int32(SOCKADDR_MAX);
    const port = lib.getsockname(sock, bound, length) < 0 ? address.port : sockaddrPort(bound);
    return { sock, port };
  } catch (err) {
    lib.close(sock);
    throw err;
  }
}

/** The stream id a caller sent (on an accepted socket). */
export function readStreamId(lib: Libsrt, sock: number): string {
  const buf = Buffer.alloc(MAX_STREAM_ID_BYTES + 1);
  const length = int32(buf.length);
  if (lib.getsockflag(sock, SRTO.STREAMID, buf, length) < 0) return '';
  return buf.toString('utf8', 0, Math.min(length[0] ?? 0, MAX_STREAM_ID_BYTES));
}
