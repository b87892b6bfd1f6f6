/** What shutdown logs through (a pino logger fits). */
export interface ShutdownLog {
  info(message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface ShutdownOptions {
  log: ShutdownLog;
  /** Run in order on the first signal; a failing step is logged and the next one still runs. */
  steps: readonly ShutdownStep[];
  /** Exit 1 if the steps have not finished by then; keep it below terminationGracePeriodSeconds. */
  timeoutMs?: number;
  signals?: readonly NodeJS.Signals[];
  /** Injected by tests; process.exit otherwise. */
  exit?: (code: number) => void;
  /** Where signals come from; process otherwise. */
  signalSource?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

export interface ShutdownHandle {
  /** Runs the steps as if a signal had arrived (e.g. when the config says the stream is gone). */
  shutdown(reason: string): Promise<void>;
  /** Stops listening for signals and cancels a pending shutdown deadline. */
  dispose(): void;
}

/** Runs the steps in order; a failing step is logged and the next one still runs. */
export async function runShutdownSteps(steps: readonly ShutdownStep[], log: ShutdownLog): Promise<void> {
  for (const step of steps) {
    try {
      await step.run();
    } catch (error) {
      log.error({ err: error, step: step.name }, 'shutdown step failed');
    }
  }
}

/**
 * Drain-and-exit on SIGTERM/SIGINT: the steps (stop readers, flush the publisher, drain NATS,
 * close the HTTP server) run once, then the process exits 0. A second signal exits 1 at once.
 */
export function handleShutdown({
  log,
  steps,
  timeoutMs = 20_000,
  signals = ['SIGTERM', 'SIGINT'],
  exit = (code) => process.exit(code),
  signalSource = process,
}: ShutdownOptions): ShutdownHandle {
  let running: Promise<void> | undefined;
  let deadline: NodeJS.Timeout | undefined;

  const shutdown = (reason: string): Promise<void> => {
    if (running) return running;
    log.info({ reason }, 'shutting down');
    deadline = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown did not finish in time');
      exit(1);
    }, timeoutMs);
    running = (async () => {
      await runShutdownSteps(steps, log);
      clearTimeout(deadline);
      log.info('shutdown complete');
      exit(0);
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      log.warn({ signal }, 'second signal, exiting now');
      exit(1);
      return;
    }
    void shutdown(signal);
  };
  for (const signal of signals) signalSource.on(signal, onSignal);
  return {
    shutdown,
    dispose() {
      clearTimeout(deadline);
      for (const signal of signals) signalSource.off(signal, onSignal);
    },
  };
}
