import { parseArgs } from 'node:util';
import { ConfigError, INGEST_STANDBY_ENV } from '@tributary/crds';
import { handleShutdown } from '@tributary/runtime';
import { loadIngestConfig, parseListen } from '../ingest/config-source.js';
import { startIngest } from '../ingest/service.js';
import { CliError } from './args.js';

export const INGEST_USAGE = `usage: tributary ingest [--config <file>] [--listen <host:port>] [--vod-root <dir>]
  The Stream config comes from --config or env TRIBUTARY_STREAM; NATS from env NATS_URL
  (and NATS_CREDS, a credentials file); --listen defaults to env TRIBUTARY_LISTEN or 0.0.0.0:8080
  (/healthz, /readyz, /metrics); file:// inputs resolve under --vod-root (default /vod).
  Env ${INGEST_STANDBY_ENV}=<pod name> starts it on standby: connected, inputs closed, until the
  operator sends it "release" on the control subject (make-before-break pod replacement).`;

/** The ingest pod's entrypoint: runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function ingestCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      listen: { type: 'string' },
      'vod-root': { type: 'string', default: '/vod' },
    },
  });
  if (positionals.length > 0) throw new CliError(INGEST_USAGE);
  const env = process.env;
  let config: Awaited<ReturnType<typeof loadIngestConfig>>;
  let listen: ReturnType<typeof parseListen>;
  try {
    config = await loadIngestConfig(values.config, env);
    listen = parseListen(values.listen ?? env.TRIBUTARY_LISTEN);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const natsUrl = env.NATS_URL;
  if (natsUrl === undefined || natsUrl === '')
    throw new CliError('env NATS_URL is not set (e.g. nats://nats:4222)');

  const service = await startIngest({
    config,
    env,
    natsUrl,
    ...(env.NATS_CREDS ? { natsCreds: env.NATS_CREDS } : {}),
    listen,
    vodRoot: values['vod-root'],
    standby: env[INGEST_STANDBY_ENV] || undefined,
  });
  handleShutdown({ log: service.log, steps: service.shutdownSteps });
  // Runs until a signal: handleShutdown exits the process.
  return new Promise<number>(() => {});
}
