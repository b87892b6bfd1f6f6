import { setTimeout as sleep } from 'node:timers/promises';
import type {
  V1Container,
  V1ContainerState,
  V1ContainerStateTerminated,
  V1ContainerStatus,
  V1Probe,
} from '@kubernetes/client-node';
import { ManagedProcess, type ProcessExit } from '../process.js';
import type { ProbeCheck } from './probe.js';

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

/** Exit code as a container runtime reports it: 128 + signal number for a killed process. */
export function exitCode(exit: ProcessExit): number {
  if (exit.code !== null) return exit.code;
  return 128 + (exit.signal ? (SIGNAL_NUMBERS[exit.signal] ?? 0) : 0);
}

export interface ContainerLaunch {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
}

/**
 * One container of a pod as a local process: its state as the Pod status reports it, its restart
 * count and its readiness. Restart decisions belong to the pod.
 */
export class ContainerRunner {
  readonly container: V1Container;
  #state: V1ContainerState = { waiting: { reason: 'ContainerCreating' } };
  /** The newest and the one-before-newest terminations: `lastState` is whichever is not the current state. */
  #lastTermination: V1ContainerStateTerminated | undefined;
  #previousTermination: V1ContainerStateTerminated | undefined;
  #starts = 0;
  #ready = false;
  #process: ManagedProcess | undefined;
  /** Set by stop(): the grace period for a process whose start was still under way. */
  #stopGraceMs: number | undefined;
  #readinessAbort: AbortController | undefined;
  readonly #onChange: () => void;

  constructor(container: V1Container, onChange: () => void) {
    this.container = container;
    this.#onChange = onChange;
  }

  get terminated(): V1ContainerStateTerminated | undefined {
    return this.#state.terminated;
  }

  get running(): boolean {
    return this.#state.running !== undefined;
  }

  get ready(): boolean {
    return this.#ready;
  }

  get everStarted(): boolean {
    return this.#starts > 0;
  }

  get pid(): number | undefined {
    return this.#process?.running ? this.#process.pid : undefined;
  }

  setWaiting(reason: string, message?: string): void {
    this.#state = { waiting: { reason, ...(message ? { message } : {}) } };
    this.#onChange();
  }

  /** Starts the process; resolves with its exit once it ends. */
  async run(launch: ContainerLaunch, readiness?: { check: ProbeCheck; probe: V1Probe }) {
    const [command, ...args] = launch.argv as [string, ...string[]];
    let proc: ManagedProcess;
    try {
      proc = await ManagedProcess.start({
        name: this.container.name,
        command,
        args,
        env: launch.env,
        cwd: launch.cwd,
        logFile: launch.logFile,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.#recordTermination({
        exitCode: 128,
        reason: 'StartError',
        message,
        finishedAt: new Date(),
      });
    }
    this.#process = proc;
    // Stopped while the process was being spawned: stop() could not reach it, so stop it here.
    if (this.#stopGraceMs !== undefined) void proc.stop(this.#stopGraceMs);
    this.#starts += 1;
    const startedAt = new Date();
    this.#state = { running: { startedAt } };
    this.#ready = !readiness;
    this.#onChange();
    if (readiness) this.#watchReadiness(readiness.check, readiness.probe);
    const exit = await proc.exited;
    this.#readinessAbort?.abort();
    this.#ready = false;
    const code = exitCode(exit);
    const terminated: V1ContainerStateTerminated = {
      exitCode: code,
      ...(exit.signal ? { signal: SIGNAL_NUMBERS[exit.signal] ?? 0 } : {}),
      reason: code === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: new Date(),
    };
    return this.#recordTermination(terminated);
  }

  #recordTermination(terminated: V1ContainerStateTerminated): V1ContainerStateTerminated {
    this.#previousTermination = this.#lastTermination;
    this.#lastTermination = terminated;
    this.#state = { terminated };
    this.#onChange();
    return terminated;
  }

  #watchReadiness(check: ProbeCheck, probe: V1Probe): void {
    const abort = new AbortController();
    this.#readinessAbort = abort;
    const period = (probe.periodSeconds ?? 10) * 1000;
    const successThreshold = probe.successThreshold ?? 1;
    const failureThreshold = probe.failureThreshold ?? 3;
    const loop = async () => {
      await sleep((probe.initialDelaySeconds ?? 0) * 1000, undefined, { signal: abort.signal });
      let successes = 0;
      let failures = 0;
      while (!abort.signal.aborted) {
        const ok = await check();
        if (abort.signal.aborted) return;
        successes = ok ? successes + 1 : 0;
        failures = ok ? 0 : failures + 1;
        const ready = this.#ready ? failures < failureThreshold : successes >= successThreshold;
        if (ready !== this.#ready) {
          this.#ready = ready;
          this.#onChange();
        }
        await sleep(period, undefined, { signal: abort.signal });
      }
    };
    loop().catch(() => {}); // aborted
  }

  /** SIGTERM to the process group, SIGKILL after the grace period; resolves when it has exited. */
  async stop(graceMs: number): Promise<void> {
    this.#stopGraceMs = graceMs;
    await this.#process?.stop(graceMs);
  }

  status(): V1ContainerStatus {
    const last = this.#state.terminated ? this.#previousTermination : this.#lastTermination;
    return {
      name: this.container.name,
      image: this.container.image ?? '',
      imageID: '',
      ready: this.#ready,
      started: this.running,
      restartCount: Math.max(0, this.#starts - 1),
      state: this.#state,
      ...(last ? { lastState: { terminated: last } } : {}),
    };
  }
}
