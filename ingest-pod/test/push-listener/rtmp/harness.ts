// An RtmpPushServer on 127.0.0.1 (free port) with a FakePushGate and a logger that keeps its lines.
import { type Logger, pino } from 'pino';
import {
  RtmpPushServer,
  type RtmpPushServerOptions,
} from '../../../src/push-listener/rtmp/rtmp-push-server.js';
import { FakePushGate, type FakePushGateOptions } from '../../support/fake-push-gate.js';
import { makeTempDir, type TempDir } from '../../support/peers.js';

export interface Harness {
  server: RtmpPushServer;
  gate: FakePushGate;
  /** Every JSON log line so far. */
  logLines: string[];
  /** `rtmp://127.0.0.1:<port>/<path>`. */
  url(path: string): string;
  stop(): Promise<void>;
}

export interface HarnessOptions extends FakePushGateOptions {
  idleTimeoutMs?: number;
  stallTimeoutMs?: number;
  /** Default: the gate's routes. */
  knownRoutes?: () => Iterable<string>;
}

export async function startHarness(
  routes: Record<string, string>,
  options: HarnessOptions = {},
): Promise<Harness> {
  const gate = new FakePushGate(routes, options);
  const logLines: string[] = [];
  const log: Logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
  const dir: TempDir = await makeTempDir('rtmp-push-');
  const serverOptions: RtmpPushServerOptions = {
    host: '127.0.0.1',
    port: 0,
    gate,
    knownRoutes: options.knownRoutes ?? (() => Object.keys(routes)),
    dataDir: dir.path,
    log,
  };
  if (options.idleTimeoutMs !== undefined) serverOptions.idleTimeoutMs = options.idleTimeoutMs;
  if (options.stallTimeoutMs !== undefined) serverOptions.stallTimeoutMs = options.stallTimeoutMs;
  const server = new RtmpPushServer(serverOptions);
  await server.start();
  return {
    server,
    gate,
    logLines,
    url: (path) => `rtmp://127.0.0.1:${server.port}/${path}`,
    stop: async () => {
      await server.close();
      await dir.remove();
    },
  };
}
