import path from 'node:path';
import { type HealthTarget, isHealthy } from './health.js';
import { baseEnv, ManagedProcess } from './process.js';
import { waitFor } from './wait.js';

export interface ComponentSpec {
  name: string;
  binary: string;
  args: string[];
  logDir: string;
  health: HealthTarget;
  startTimeoutMs?: number;
  env?: Record<string, string>;
}

/** One control-plane server: a process plus the health endpoint that says it is serving. */
export class Component {
  readonly spec: ComponentSpec;
  #process: ManagedProcess | undefined;

  constructor(spec: ComponentSpec) {
    this.spec = spec;
  }

  get process(): ManagedProcess | undefined {
    return this.#process;
  }

  /** Starts the process and resolves once its health endpoint answers 200. */
  async start(): Promise<void> {
    if (this.#process?.running) throw new Error(`${this.spec.name} is already running`);
    const proc = await ManagedProcess.start({
      name: this.spec.name,
      command: this.spec.binary,
      args: this.spec.args,
      env: { ...baseEnv(), ...this.spec.env },
      logFile: path.join(this.spec.logDir, `${this.spec.name}.log`),
    });
    this.#process = proc;
    try {
      await waitFor(
        async () => {
          if (!proc.running) throw new Error(proc.describeExit());
          return isHealthy(this.spec.health);
        },
        {
          timeoutMs: this.spec.startTimeoutMs ?? 90_000,
          intervalMs: 250,
          what: `${this.spec.name} to be healthy`,
        },
      );
    } catch (error) {
      await proc.stop(2000);
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${this.spec.name} did not start: ${message}\n${proc.logTail()}`);
    }
  }

  async stop(graceMs = 10_000): Promise<void> {
    await this.#process?.stop(graceMs);
  }
}
