import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { isNamespaceName } from '@tributary/crds';
import { handleShutdown } from '@tributary/runtime';
import { startBuffer } from '../buffer/buffer-service.js';
import {
  CliError,
  NATS_FLAGS,
  natsFlags,
  parseNonNegativeInteger,
  parsePort,
  parsePositiveSeconds,
} from './args.js';
import { BUFFER_USAGE } from './buffer-usage.js';

/** What a viewer may have waiting on its socket before it skips to a later keyframe. */
const MAX_QUEUED_BYTES_PER_VIEWER = 8 * 1024 * 1024;

/** The buffer's entrypoint: runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function bufferCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', multiple: true, default: [] },
      host: { type: 'string', default: '0.0.0.0' },
      port: { type: 'string', default: '8000' },
      'metrics-port': { type: 'string', default: '8080' },
      'window-seconds': { type: 'string', default: '30' },
      'max-mb-per-stream': { type: 'string', default: '256' },
      ...NATS_FLAGS,
      replica: { type: 'string' },
      'push-rtmp-url': { type: 'string' },
      'push-srt-url': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new CliError(BUFFER_USAGE);
  const env = process.env;
  const { natsUrl, natsCreds, prefix } = natsFlags(values, env);
  for (const namespace of values.namespace)
    if (!isNamespaceName(namespace))
      throw new CliError(`--namespace: "${namespace}" is not a namespace name`);
  const maxMb = parseNonNegativeInteger('--max-mb-per-stream', values['max-mb-per-stream']);
  if (maxMb === 0) throw new CliError('--max-mb-per-stream takes a whole number ≥ 1, got "0"');

  const service = await startBuffer({
    natsUrl,
    ...(natsCreds !== undefined && { natsCreds }),
    subjectPrefix: prefix,
    namespaces: values.namespace,
    host: values.host,
    port: parsePort('--port', values.port),
    metricsPort: parsePort('--metrics-port', values['metrics-port']),
    windowMs: parsePositiveSeconds('--window-seconds', values['window-seconds']) * 1000,
    maxBytesPerStream: maxMb * 1024 * 1024,
    maxQueuedBytesPerViewer: MAX_QUEUED_BYTES_PER_VIEWER,
    pushListener: { rtmp: values['push-rtmp-url'], srt: values['push-srt-url'] },
    replica: values.replica ?? (env.HOSTNAME || hostname()),
  });
  handleShutdown({ log: service.log, steps: service.shutdownSteps });
  // Runs until a signal: handleShutdown exits the process.
  return new Promise<number>(() => {});
}
