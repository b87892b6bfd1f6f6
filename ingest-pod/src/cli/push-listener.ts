import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { handleShutdown } from '@tributary/runtime';
import { startPushListener } from '../push-listener/service.js';
import {
  CliError,
  NATS_FLAGS,
  natsFlags,
  parseNonNegativeInteger,
  parsePort,
  parsePositiveSeconds,
} from './args.js';
import { PUSH_LISTENER_USAGE } from './push-listener-usage.js';

/** The push-listener's entrypoint: runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function pushListenerCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '0.0.0.0' },
      'rtmp-port': { type: 'string', default: '1935' },
      'srt-port': { type: 'string', default: '9000' },
      'metrics-port': { type: 'string', default: '8080' },
      ...NATS_FLAGS,
      'sealing-key-file': { type: 'string' },
      replica: { type: 'string' },
      'idle-timeout-seconds': { type: 'string', default: '10' },
      'data-dir': { type: 'string' },
      'srt-latency-ms': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new CliError(PUSH_LISTENER_USAGE);
  const env = process.env;
  const { natsUrl, natsCreds, prefix } = natsFlags(values, env);
  const replica = values.replica ?? (env.HOSTNAME || undefined);
  if (replica === undefined) throw new CliError('no replica name: give --replica or set env HOSTNAME');
  const keyFile = values['sealing-key-file'] ?? (env.PUSH_SEALING_KEY_FILE || undefined);
  let sealingKeyPem: string | undefined;
  if (keyFile !== undefined) {
    try {
      sealingKeyPem = await readFile(keyFile, 'utf8');
    } catch (error) {
      throw new CliError(`--sealing-key-file: cannot read ${keyFile}: ${(error as Error).message}`);
    }
  }
  const latency = values['srt-latency-ms'];

  const service = await startPushListener({
    host: values.host,
    rtmpPort: parsePort('--rtmp-port', values['rtmp-port']),
    srtPort: parsePort('--srt-port', values['srt-port']),
    metricsPort: parsePort('--metrics-port', values['metrics-port']),
    natsUrl,
    ...(natsCreds !== undefined && { natsCreds }),
    subjectPrefix: prefix,
    ...(sealingKeyPem !== undefined && { sealingKeyPem }),
    replica,
    idleTimeoutMs: parsePositiveSeconds('--idle-timeout-seconds', values['idle-timeout-seconds']) * 1000,
    dataDir: values['data-dir'] ?? join(tmpdir(), `tributary-push-listener-${process.pid}`),
    ...(latency !== undefined && { srtLatencyMs: parseNonNegativeInteger('--srt-latency-ms', latency) }),
  });
  handleShutdown({ log: service.log, steps: service.shutdownSteps });
  // Runs until a signal: handleShutdown exits the process.
  return new Promise<number>(() => {});
}
