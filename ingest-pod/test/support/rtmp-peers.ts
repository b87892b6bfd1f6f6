// RTMP peers for reader and push-listener tests, all on 127.0.0.1:
//
//   const server = await startFfmpegRtmpServer(['-re', '-i', flv, '-c', 'copy'], 'live/key'); // server.url
//   const nms = await startNodeMediaServer(tmpDir);          // nms.url('live/cam'), nms.restart(), nms.stop()
//   const publisher = publishFileToRtmp(flv, nms.url('live/cam')); await nms.published('/live/cam');
//   const proxy = await startTlsProxy(nms.port, cert);        // rtmps://127.0.0.1:<proxy.port>/…
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { TEST_PATTERN_INPUTS } from './media.js';
import { type FfmpegProcess, ffmpegLoop, freeTcpPort, runFfmpeg, spawnFfmpeg, waitFor } from './peers.js';

/**
 * A small FLV test file: 320x240 25 fps H.264 (with `bframes`, two B-frames so composition
 * offsets are non-zero; one keyframe per second) and 48 kHz stereo AAC.
 */
export async function makeFlvFile(
  dir: string,
  options: { seconds?: number; bframes?: boolean } = {},
): Promise<string> {
  const seconds = options.seconds ?? 2;
  const bframes = options.bframes ?? true;
  const file = join(dir, `h264${bframes ? '-bf2' : ''}-aac-${seconds}s.flv`);
  const x264 = bframes
    ? ['-preset', 'veryfast', '-bf', '2']
    : ['-preset', 'ultrafast', '-tune', 'zerolatency'];
  await runFfmpeg([
    ...TEST_PATTERN_INPUTS,
    ...[
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      ...x264,
      '-g',
      '25',
      '-keyint_min',
      '25',
      '-sc_threshold',
      '0',
    ],
    ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-f', 'flv', file],
  ]);
  return file;
}

/** True when something listens on 127.0.0.1:port, read from /proc (connecting would use up `-listen 1`). */
async function isListening(port: number): Promise<boolean> {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = await readFile('/proc/net/tcp', 'utf8');
  return table.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[1] === hex && cols[3] === '0A';
  });
}

export interface FfmpegRtmpServer {
  url: string;
  port: number;
  ffmpeg: FfmpegProcess;
}

/**
 * `ffmpeg <input args> -f flv -listen 1 rtmp://127.0.0.1:<port>/<path>`: serves one player, then
 * exits when its input ends. Resolves once the port listens.
 */
export async function startFfmpegRtmpServer(
  inputArgs: readonly string[],
  path = 'live/key',
): Promise<FfmpegRtmpServer> {
  const port = await freeTcpPort();
  const url = `rtmp://127.0.0.1:${port}/${path}`;
  const ffmpeg = spawnFfmpeg([...inputArgs, '-f', 'flv', '-listen', '1', url]);
  let exited = false;
  void ffmpeg.exited.then(() => {
    exited = true;
  });
  await waitFor(async () => exited || (await isListening(port)), `ffmpeg to listen on ${port}`);
  if (exited) throw new Error(`ffmpeg RTMP server exited early: ${ffmpeg.stderr()}`);
  return { url, port, ffmpeg };
}

/** Publishes an FLV file in a loop at its own pace (`-re -stream_loop -1 -c copy`). */
export function publishFileToRtmp(file: string, url: string): FfmpegProcess {
  return ffmpegLoop(file, ['-f', 'flv', url]);
}

interface NmsInstance {
  run(): Promise<void>;
  stop(): Promise<void>;
  on(event: string, listener: (session: { streamPath?: string }) => void): void;
  rtmpServer: { tcpServer?: net.Server };
}
type NmsConstructor = new (config: object) => NmsInstance;

const require = createRequire(import.meta.url);

export interface NodeMediaServerPeer {
  port: number;
  /** `rtmp://127.0.0.1:<port>/<path>`. */
  url(path: string): string;
  /** Resolves once a publisher to `/app/name` has started (since this instance started). */
  published(streamPath: string): Promise<void>;
  /** Stops the server and starts a new one on the same port (every connection is cut). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * node-media-server 4.4.3 in this process (it has no types: loaded through require). Its
 * constructor forces debug logging through console.log, which is muted while it runs; it calls
 * process.exit on EADDRINUSE, so the port is taken fresh just before.
 */
export async function startNodeMediaServer(storeDir: string): Promise<NodeMediaServerPeer> {
  const NodeMediaServer = require('node-media-server') as NmsConstructor;
  const logger = require('node-media-server/src/core/logger.js') as { level: string };
  const port = await freeTcpPort();
  const publishedPaths = new Set<string>();
  let nms: NmsInstance | undefined;
  const start = async () => {
    const log = console.log;
    console.log = () => undefined;
    try {
      nms = new NodeMediaServer({
        bind: '127.0.0.1',
        rtmp: { port },
        store: { path: join(storeDir, 'nms-data') },
        webadmin: { enable: false },
      });
    } finally {
      console.log = log;
    }
    logger.level = 'error';
    publishedPaths.clear();
    nms.on('postPublish', (session) => {
      if (session.streamPath !== undefined) publishedPaths.add(session.streamPath);
    });
    await nms.run();
    const server = nms.rtmpServer.tcpServer;
    if (server !== undefined && !server.listening) await once(server, 'listening');
  };
  const stop = async () => {
    const instance = nms;
    nms = undefined;
    await instance?.stop();
  };
  await start();
  return {
    port,
    url: (path) => `rtmp://127.0.0.1:${port}/${path}`,
    published: async (streamPath) => {
      await waitFor(() => publishedPaths.has(streamPath), `a publisher on ${streamPath}`);
    },
    restart: async () => {
      await stop();
      await start();
    },
    stop,
  };
}

export interface TlsProxy {
  port: number;
  close(): Promise<void>;
}

/** TLS on 127.0.0.1:<port>, each connection piped to plain TCP 127.0.0.1:<targetPort>. */
export async function startTlsProxy(
  targetPort: number,
  cert: { key: string; cert: string },
): Promise<TlsProxy> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(cert, (client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  server.on('tlsClientError', () => undefined); // a client refusing our self-signed cert is a test case
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export { freeTcpPort, waitFor } from './peers.js';
