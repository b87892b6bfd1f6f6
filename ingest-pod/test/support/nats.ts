import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeBinaries } from '../../../tools/cluster/binaries.js';

export interface NatsOptions {
  /** Enable JetStream (KV) with a store in a temporary directory kept across restarts. */
  jetstream?: boolean;
  /** The server's max_payload in bytes (nats-server's default is 1 MiB). */
  maxPayload?: number;
  /**
   * Which nats-server: Debian's 2.9 from PATH (default; the oldest we support) or the chart's
   * version, built from Go modules by scripts/kube-binaries.sh.
   */
  server?: 'debian' | 'chart';
  /** More configuration, e.g. the authorization the operator renders. */
  extraConfig?: string;
  /** Listen on this port (127.0.0.1) instead of a free one. */
  port?: number;
}

export interface NatsServer {
  url: string;
  port: number;
  /** Stops the server and removes its temporary directory. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port (clients see a disconnect). */
  restart(): Promise<void>;
  /** Freezes the server process (SIGSTOP): clients stay connected to a server that reads nothing. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

/** Starts a nats-server from PATH on a free 127.0.0.1 port; resolves once it accepts clients. */
export async function startNats(options: NatsOptions = {}): Promise<NatsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-nats-'));
  const port = options.port ?? (await freePort());
  const configFile = join(dir, 'nats.conf');
  await writeFile(configFile, configText(port, dir, options));

  const binary = options.server === 'chart' ? kubeBinaries().natsServer : 'nats-server';
  let child: ChildProcess | undefined = await launch(binary, configFile, port);
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      const running = child;
      child = undefined;
      process.off('exit', killOnExit);
      running?.kill('SIGCONT'); // a paused server would not act on SIGTERM
      if (running) await terminate(running);
      await rm(dir, { recursive: true, force: true });
    },
    pause() {
      if (!child) throw new Error('nats-server was stopped');
      child.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async restart() {
      if (!child) throw new Error('nats-server was stopped');
      child.kill('SIGCONT');
      await terminate(child);
      child = await launch(binary, configFile, port);
    },
  };
}

function configText(port: number, dir: string, options: NatsOptions): string {
  const lines = [`listen: "127.0.0.1:${port}"`];
  if (options.maxPayload !== undefined) lines.push(`max_payload: ${options.maxPayload}`);
  if (options.jetstream) lines.push(`jetstream { store_dir: ${JSON.stringify(join(dir, 'js'))} }`);
  if (options.extraConfig) lines.push(options.extraConfig);
  return `${lines.join('\n')}\n`;
}

async function launch(binary: string, configFile: string, port: number): Promise<ChildProcess> {
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    log = (log + text).slice(-4000);
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await acceptsClients(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nats-server exited before it was ready:\n${log}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server was not ready within ${READY_TIMEOUT_MS} ms:\n${log}`);
    }
    await sleep(50);
  }
  return child;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** True when something on the port answers with the NATS INFO line. */
function acceptsClients(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('data', (data) => finish(data.toString('latin1').startsWith('INFO')));
    socket.connect(port, '127.0.0.1');
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}
