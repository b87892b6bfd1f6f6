// GStreamer's RTSP server (rtsp_server.py, run by /usr/bin/python3, which has gi) on a free
// 127.0.0.1 port:
//   const server = await startRtspServer({ h265: true, tcpOnly: false, user: 'u', password: 'p' });
//   server.url('/test'); server.teardowns(); await server.stop();
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freeTcpPort } from './peers.js';

const SCRIPT = fileURLToPath(new URL('./rtsp_server.py', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

export interface RtspServerOptions {
  h265?: boolean;
  /** Refuse UDP SETUPs (gst-rtsp-server's set_protocols(TCP)). */
  tcpOnly?: boolean;
  /** Digest authentication with this user and password. */
  user?: string;
  password?: string;
  /** Seconds the server keeps a session without a keep-alive (its default is 60). */
  sessionTimeoutS?: number;
  /** Listen on this port (a restarted server) instead of a free one. */
  port?: number;
  /** H.264 on /test: picture size (default 320x240) and x264enc bitrate in kbit/s. */
  size?: string;
  bitrateKbps?: number;
}

export interface RtspServerPeer {
  port: number;
  /** `rtsp://127.0.0.1:<port><path>`, with `userinfo@` when given. */
  url(path: string, userinfo?: string): string;
  /** TEARDOWN requests the server has received so far. */
  teardowns(): number;
  stderr(): string;
  /** SIGTERM by pid, SIGKILL after 3 s. */
  stop(): Promise<void>;
}

export async function startRtspServer(options: RtspServerOptions = {}): Promise<RtspServerPeer> {
  const port = options.port ?? (await freeTcpPort());
  const args = [SCRIPT, String(port)];
  if (options.h265) args.push('--h265');
  if (options.tcpOnly) args.push('--tcp-only');
  if (options.sessionTimeoutS !== undefined) args.push('--session-timeout', String(options.sessionTimeoutS));
  if (options.user !== undefined) args.push('--user', options.user, '--password', options.password ?? '');
  if (options.size !== undefined) args.push('--size', options.size);
  if (options.bitrateKbps !== undefined) args.push('--bitrate', String(options.bitrateKbps));
  const child = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('rtsp_server.py did not start');
  let stdout = '';
  let stderr = '';
  let teardowns = 0;
  const exited = once(child, 'exit');
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ready')) resolve();
        if (line === 'teardown') teardowns++;
      }
    });
    void exited.then(() => reject(new Error(`rtsp_server.py exited before it was ready: ${stderr}`)));
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, 3000);
    await exited;
    clearTimeout(timer);
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`rtsp_server.py not ready after ${READY_TIMEOUT_MS} ms`)),
          READY_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    port,
    url: (path, userinfo) => `rtsp://${userinfo !== undefined ? `${userinfo}@` : ''}127.0.0.1:${port}${path}`,
    teardowns: () => teardowns,
    stderr: () => stderr,
    stop,
  };
}
