import { CliError } from './cli/args.js';
import { BUFFER_USAGE } from './cli/buffer-usage.js';
import { INGEST_USAGE, ingestCommand } from './cli/ingest.js';
import { PROBE_USAGE, probeCommand } from './cli/probe.js';
import { PUSH_LISTENER_USAGE } from './cli/push-listener-usage.js';
import { TAIL_USAGE, tailCommand } from './cli/tail.js';
import { ReaderError } from './reader/packet-reader.js';

const USAGE = `usage: tributary <command> [options]

commands:
  probe <url>            read a source through our readers and report its tracks
  ingest                 run one Stream's ingest (the pod's entrypoint)
  push-listener          run the shared RTMP/SRT push ingest (a replica of the Deployment)
  tail <ns>/<stream>     print live packets of a Stream from NATS
  buffer                 keep the last seconds of Streams and serve them as live MPEG-TS

${PROBE_USAGE}
${INGEST_USAGE}
${PUSH_LISTENER_USAGE}
${TAIL_USAGE}
${BUFFER_USAGE}`;

const USAGES: Record<string, string> = {
  probe: PROBE_USAGE,
  ingest: INGEST_USAGE,
  'push-listener': PUSH_LISTENER_USAGE,
  tail: TAIL_USAGE,
  buffer: BUFFER_USAGE,
};

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  probe: probeCommand,
  ingest: ingestCommand,
  // Loaded on demand: an ingest pod never loads the RTMP and SRT publish servers.
  'push-listener': async (argv) => (await import('./cli/push-listener.js')).pushListenerCommand(argv),
  tail: tailCommand,
  buffer: async (argv) => (await import('./cli/buffer.js')).bufferCommand(argv),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // Asked for: usage on stdout, exit 0 (a mistake gets it on stderr, exit 2).
  if (isHelp(name)) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (name && USAGES[name] && rest.some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(`${USAGES[name]}\n`);
    return 0;
  }
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`${name ? `unknown command "${name}"\n` : ''}${USAGE}\n`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`tributary: ${(error as Error).message}\n`);
      process.exitCode = 2;
    } else if (error instanceof ReaderError) {
      // An expected failure (a refused URL, an unreachable source): one line, no stack.
      process.stderr.write(`tributary: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`tributary: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
