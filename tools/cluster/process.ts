import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface ProcessSpec {
  /** Short name used in errors. */
  name: string;
  command: string;
  args: string[];
  /** The whole environment of the child: nothing is inherited from this process. */
  env: Record<string, string>;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// Every live child, so that an exiting test process never leaves servers behind.
const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.signalGroup('SIGKILL');
  });
}

/** A child process in its own process group, logging to a file, stopped by pid (never by name). */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | undefined;

  private constructor(spec: ProcessSpec, child: ChildProcess, pid: number) {
    this.spec = spec;
    this.pid = pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        live.delete(this);
        // The leader is gone; take down anything it left in its group.
        this.signalGroup('SIGKILL');
        resolve(this.#exit);
      });
    });
  }

  static async start(spec: ProcessSpec): Promise<ManagedProcess> {
    installExitHook();
    const log = fs.openSync(spec.logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        env: spec.env,
        cwd: spec.cwd,
        stdio: ['ignore', log, log],
        detached: true, // own process group, so stop() reaches grandchildren too
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid!));
        child.once('error', reject);
      });
      const managed = new ManagedProcess(spec, child, pid);
      live.add(managed);
      return managed;
    } finally {
      fs.closeSync(log);
    }
  }

  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // group already gone
    }
  }

  /** SIGTERM to the group, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    if (this.#exit) return this.#exit;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 30): string {
    try {
      return fs.readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  describeExit(): string {
    const exit = this.#exit;
    if (!exit) return `${this.spec.name} (pid ${this.pid}) is running`;
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    return `${this.spec.name} (pid ${this.pid}) exited with ${how}; log ${this.spec.logFile}:\n${this.logTail()}`;
  }
}

/** The environment every child starts from: a PATH and a locale, nothing else of ours. */
export function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };
}
