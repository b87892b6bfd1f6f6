// The operator's entry point: `node --import tsx operator/src/main.ts [options]` (see --help).
import { handleShutdown } from '@tributary/runtime';
import { pino } from 'pino';
import { loadKubeTarget } from './kube/kube-target.js';
import { Operator } from './operator.js';
import { OptionsError, parseOptions, USAGE } from './options.js';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv, process.env);
  } catch (error) {
    if (
      !(error instanceof OptionsError) &&
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true
    )
      throw error;
    process.stderr.write(`tributary-operator: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const log = pino({ level: options.logLevel, base: { component: 'tributary-operator' } });
  const target = loadKubeTarget(options.kubeconfig);
  const operator = new Operator(options, target, log);
  // Drains on SIGTERM/SIGINT, then exits (0, or 1 past the deadline or on a second signal).
  handleShutdown({ log, steps: operator.shutdownSteps });
  await operator.start();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tributary-operator: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
