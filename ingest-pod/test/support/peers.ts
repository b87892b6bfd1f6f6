// Real peers for reader tests: HTTP servers on 127.0.0.1, ffmpeg senders, UDP ports, temp dirs.
//
//   const server = await startHttpServer((req, res) => res.end('hi'));   // server.url('/x.ts')
//   const sender = spawnFfmpeg(['-re', '-i', file, '-c', 'copy', '-f', 'mpegts', udpUrl]);
//   const looped = ffmpegLoop(file, ['-f', 'mpegts', udpUrl]);           // endless, real time
//   await sender.stop();                                                  // by pid, SIGKILL after 3 s
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { waitFor as pollUntil } from '../../../tools/cluster/wait.js';

const run = promisify(execFile);

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix = 'tributary-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface HttpPeer {
  port: number;
  /** `http://127.0.0.1:<port><path>` (https when started with a certificate). */
  url(path: string): string;
  /** Every request seen, in order. */
  requests: RecordedRequest[];
  /** Closes the listener and every open connection. */
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** An HTTP (or HTTPS, given key and cert) server on 127.0.0.1, on a free port unless `port` is given. */
export async function startHttpServer(
  handler: Handler,
  tls?: { key: string; cert: string },
  port = 0,
): Promise<HttpPeer> {
  const requests: RecordedRequest[] = [];
  const listener: http.RequestListener = (req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  const scheme = tls ? 'https' : 'http';
  return {
    port: bound,
    url: (path) => `${scheme}://127.0.0.1:${bound}${path}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
};

/** A handler serving files below `root` (404 for anything missing or outside it). */
export function serveDirectory(root: string): Handler {
  return async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  };
}

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI into `dir`. */
export async function makeSelfSignedCert(dir: string): Promise<{ key: string; cert: string }> {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
}

/** A UDP port that was free a moment ago on 127.0.0.1 (or ::1 for family 6). */
export async function freeUdpPort(family: 4 | 6 = 4): Promise<number> {
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  socket.bind(0, family === 6 ? '::1' : '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface FfmpegProcess {
  pid: number;
  /** Resolves with the exit code once ffmpeg has exited on its own or been stopped. */
  exited: Promise<number | null>;
  /** Everything ffmpeg wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** SIGTERM by pid, SIGKILL after 3 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Any peer process (stderr kept for failure messages), stopped by pid: SIGTERM, SIGKILL after 3 s. */
export function spawnPeer(command: string, args: readonly string[]): FfmpegProcess {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${command} did not start`);
  return {
    pid,
    exited,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(pid, 'SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!killed) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

export function spawnFfmpeg(args: readonly string[]): FfmpegProcess {
  return spawnPeer('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args]);
}

/** ffmpeg input arguments reading `file` endlessly in real time, every stream copied as it is. */
export function loopedFileInput(file: string): string[] {
  return ['-re', '-stream_loop', '-1', '-i', file, '-map', '0', '-c', 'copy'];
}

/** ffmpeg sending `file` endlessly in real time, without re-encoding, to `output` (format and URL). */
export function ffmpegLoop(file: string, output: readonly string[]): FfmpegProcess {
  return spawnFfmpeg([...loopedFileInput(file), ...output]);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freeTcpPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Polls `test` every 20 ms until it returns something other than undefined/false, and returns
 * that; rejects naming `what` after `timeoutMs`. An error `test` throws fails the wait at once.
 */
export function waitFor<T>(
  test: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  return pollUntil(test, { what, timeoutMs, intervalMs: 20, retryErrors: false });
}

/** Runs ffmpeg to completion (fixtures); rejects with its stderr on failure. */
export async function runFfmpeg(args: readonly string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

/**
 * Cuts a TS file into an HLS rendition with ffmpeg's HLS muxer (`-c copy`, one segment per
 * keyframe interval): `<dir>/<name>.m3u8` (VOD, with ENDLIST) and `<dir>/<name>_NNN.ts`.
 */
export async function makeHlsRendition(tsFile: string, dir: string, name = 'vod'): Promise<string> {
  const playlist = join(dir, `${name}.m3u8`);
  await runFfmpeg([
    '-i',
    tsFile,
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    '1',
    '-hls_list_size',
    '0',
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'mpegts',
    '-hls_segment_filename',
    join(dir, `${name}_%03d.ts`),
    playlist,
  ]);
  return playlist;
}

/** Sends `data` as datagrams of `size` bytes (a TS file in 7-packet datagrams by default). */
export async function sendDatagrams(
  data: Uint8Array,
  target: { host: string; port: number },
  options: { size?: number; bindAddress?: string; multicastInterface?: string } = {},
): Promise<number> {
  const v6 = target.host.includes(':');
  const socket = dgram.createSocket(v6 ? 'udp6' : 'udp4');
  socket.bind(0, options.bindAddress ?? (v6 ? '::1' : '127.0.0.1'));
  await once(socket, 'listening');
  if (options.multicastInterface !== undefined) {
    socket.setMulticastInterface(options.multicastInterface);
    socket.setMulticastTTL(1);
  }
  const size = options.size ?? 1316;
  let sent = 0;
  for (let at = 0; at < data.length; at += size) {
    const datagram = data.subarray(at, Math.min(at + size, data.length));
    await new Promise<void>((resolve, reject) =>
      socket.send(datagram, target.port, target.host, (err) => (err ? reject(err) : resolve())),
    );
    sent++;
    // Loopback drops nothing but a socket buffer overflow; give the receiver a turn now and then.
    if (sent % 64 === 0) await sleep(1);
  }
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return sent;
}

/** Number of 188-byte packets and whether every one starts with the sync byte. */
export function tsPacketCheck(chunks: readonly Uint8Array[]): {
  packets: number;
  aligned: boolean;
  bytes: number;
} {
  let bytes = 0;
  let aligned = true;
  for (const chunk of chunks) {
    bytes += chunk.length;
    if (chunk.length % 188 !== 0) aligned = false;
    for (let at = 0; at < chunk.length; at += 188) if (chunk[at] !== 0x47) aligned = false;
  }
  return { packets: Math.floor(bytes / 188), aligned, bytes };
}

/** Concatenates chunks. */
export function concat(chunks: readonly Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}
