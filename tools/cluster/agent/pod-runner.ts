import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  V1Container,
  V1ContainerStateTerminated,
  V1Pod,
  V1PodCondition,
  V1PodStatus,
  V1Probe,
} from '@kubernetes/client-node';
import { baseEnv } from '../process.js';
import { type ContainerLaunch, ContainerRunner } from './container-runner.js';
import { ImageError, type ImageTable, resolveArgv } from './images.js';
import { containerEnv, expandReferences, PodConfigError } from './pod-env.js';
import { containerFilesystem, preparePodVolumes, toHostPath, type VolumeContext } from './pod-volumes.js';
import { type ProbeCheck, probeCheck } from './probe.js';

export interface PodRunnerContext extends VolumeContext {
  images: ImageTable;
  /** Where this pod's directories go (a fresh directory per pod). */
  podDir: string;
  /** Variables every container gets (KUBERNETES_SERVICE_HOST, …). */
  extraEnv: Record<string, string>;
  /** First restart delay; doubles up to maxBackoffMs (kubelet: 10 s to 5 min; shorter here for tests). */
  backoffMs: number;
  maxBackoffMs: number;
  /** Called whenever the status changed; the agent writes it to the API. */
  onStatus(status: V1PodStatus): void;
}

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** Runs one pod bound to the node: init containers in order, then all containers, per restartPolicy. */
export class PodRunner {
  readonly pod: V1Pod;
  readonly #ctx: PodRunnerContext;
  readonly #init: ContainerRunner[];
  readonly #main: ContainerRunner[];
  #initDone = false;
  #terminating = false;
  #failure: { reason: string; message: string } | undefined;
  #startTime = new Date();
  #stopped = new AbortController();
  readonly done: Promise<void>;

  constructor(pod: V1Pod, ctx: PodRunnerContext) {
    this.pod = pod;
    this.#ctx = ctx;
    const changed = () => this.#emit();
    this.#init = (pod.spec?.initContainers ?? []).map((c) => new ContainerRunner(c, changed));
    this.#main = (pod.spec?.containers ?? []).map((c) => new ContainerRunner(c, changed));
    this.done = this.#run();
  }

  get restartPolicy(): string {
    return this.pod.spec?.restartPolicy ?? 'Always';
  }

  /** Process ids of the running containers, by container name. */
  pids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const runner of [...this.#init, ...this.#main]) {
      if (runner.pid !== undefined) pids[runner.container.name] = runner.pid;
    }
    return pids;
  }

  /** Graceful deletion: no more restarts; SIGTERM, then SIGKILL after the grace period. */
  async terminate(gracePeriodSeconds: number): Promise<void> {
    this.#terminating = true;
    this.#stopped.abort();
    const graceMs = Math.max(0, gracePeriodSeconds) * 1000;
    await Promise.all([...this.#init, ...this.#main].map((r) => r.stop(graceMs)));
    await this.done;
  }

  async #run(): Promise<void> {
    this.#emit();
    const launches = await this.#prepareWithRetry();
    if (!launches) return this.#emit();
    for (const [runner, launch] of launches.init) {
      const exit = await this.#runUntilSettled(runner, launch, true);
      if (this.#terminating || !exit) return;
      if (exit.exitCode !== 0) {
        this.#failure = {
          reason: 'InitContainerFailed',
          message: `init container ${runner.container.name} failed`,
        };
        return this.#emit();
      }
    }
    this.#initDone = true;
    await Promise.all(launches.main.map(([runner, launch]) => this.#runUntilSettled(runner, launch, false)));
    this.#emit();
  }

  /**
   * Runs a container, restarting it as the pod's restartPolicy says, until it stays terminated;
   * undefined when the pod was told to terminate before the container started.
   */
  async #runUntilSettled(runner: ContainerRunner, launch: Launch, init: boolean) {
    let backoff = this.#ctx.backoffMs;
    for (;;) {
      // terminate() may have come while the volumes were prepared or an init container ran.
      if (this.#terminating) return undefined;
      const exit: V1ContainerStateTerminated = await runner.run(launch.process, launch.readiness);
      const policy = init && this.restartPolicy === 'Always' ? 'OnFailure' : this.restartPolicy;
      const restart = policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0);
      if (!restart || this.#terminating) return exit;
      runner.setWaiting(
        'CrashLoopBackOff',
        `back-off ${Math.round(backoff / 1000)}s restarting failed container`,
      );
      try {
        await sleep(backoff, undefined, { signal: this.#stopped.signal });
      } catch {
        return exit; // terminating
      }
      backoff = Math.min(backoff * 2, this.#ctx.maxBackoffMs);
    }
  }

  /** Builds every container's launch; a missing Secret or ConfigMap is retried, an unknown image is fatal. */
  async #prepareWithRetry(): Promise<
    { init: [ContainerRunner, Launch][]; main: [ContainerRunner, Launch][] } | undefined
  > {
    let backoff = this.#ctx.backoffMs;
    for (;;) {
      try {
        const volumes = await preparePodVolumes(this.#ctx, this.pod, this.#ctx.podDir);
        const build = async (runner: ContainerRunner) =>
          [runner, await this.#launch(runner.container, volumes)] as [ContainerRunner, Launch];
        const init = await Promise.all(this.#init.map(build));
        const main = await Promise.all(this.#main.map(build));
        return { init, main };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof ImageError) {
          this.#failure = { reason: 'UnknownImage', message };
          for (const runner of [...this.#init, ...this.#main]) runner.setWaiting('ErrImagePull', message);
          return undefined;
        }
        if (!(error instanceof PodConfigError)) {
          this.#failure = { reason: 'AgentError', message };
          return undefined;
        }
        for (const runner of [...this.#init, ...this.#main])
          runner.setWaiting('CreateContainerConfigError', message);
        try {
          await sleep(backoff, undefined, { signal: this.#stopped.signal });
        } catch {
          return undefined;
        }
        backoff = Math.min(backoff * 2, this.#ctx.maxBackoffMs);
      }
    }
  }

  async #launch(container: V1Container, volumes: Map<string, string>): Promise<Launch> {
    const local = resolveArgv(this.#ctx.images, container);
    const fsView = await containerFilesystem(container, volumes, this.#ctx.podDir);
    const declared = await containerEnv(
      this.pod,
      container,
      this.#ctx.objects,
      this.#ctx.addresses,
      this.#ctx.nodeAllocatable,
      this.#ctx.extraEnv,
    );
    const env: Record<string, string> = {
      ...baseEnv(),
      HOME: fsView.root,
      HOSTNAME: this.pod.metadata?.name ?? '',
      TRIBUTARY_POD_ROOT: fsView.root,
      TRIBUTARY_AGENT_MOUNTS: JSON.stringify(Object.fromEntries(fsView.mounts)),
    };
    for (const [name, value] of Object.entries(declared)) env[name] = toHostPath(fsView, value);
    // Only the pod spec's part is in container paths: a checkout below a mounted path (a repo in
    // /tmp, with an emptyDir at /tmp) must not be redirected into the volume.
    const argv = [
      ...local.program,
      ...local.args.map((arg) => toHostPath(fsView, expandReferences(arg, declared))),
    ];
    const cwd = container.workingDir ? toHostPath(fsView, container.workingDir) : fsView.root;
    await fs.mkdir(cwd, { recursive: true });
    const logFile = path.join(this.#ctx.podDir, 'containers', container.name, 'output.log');
    const probe = container.readinessProbe;
    return {
      process: { argv, env, cwd, logFile },
      ...(probe
        ? { readiness: { probe, check: probeCheck(probe, container, this.#ctx.addresses.podIP, env) } }
        : {}),
    };
  }

  #phase(): Phase {
    if (this.#failure) return 'Failed';
    if (!this.#initDone) return 'Pending';
    const main = this.#main;
    if (main.some((r) => r.running)) return 'Running';
    const allTerminated = main.every((r) => r.terminated);
    if (!allTerminated || (this.restartPolicy === 'Always' && !this.#terminating)) {
      return main.some((r) => r.everStarted) ? 'Running' : 'Pending';
    }
    const allSucceeded = main.every((r) => r.terminated?.exitCode === 0);
    if (allSucceeded) return 'Succeeded';
    return this.restartPolicy === 'Never' || this.#terminating ? 'Failed' : 'Running';
  }

  /** The pod status as of now. */
  status(): V1PodStatus {
    const phase = this.#phase();
    const containersReady = this.#main.every((r) => r.ready);
    const transition = this.#startTime;
    const condition = (type: string, ok: boolean, reason?: string): V1PodCondition => ({
      type,
      status: ok ? 'True' : 'False',
      lastTransitionTime: transition,
      ...(reason && !ok ? { reason } : {}),
    });
    const { podIP, hostIP } = this.#ctx.addresses;
    return {
      phase,
      ...(this.#failure ? this.#failure : {}),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: this.#startTime,
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', this.#initDone, 'ContainersNotInitialized'),
        condition('Ready', containersReady && phase === 'Running', 'ContainersNotReady'),
        condition('ContainersReady', containersReady, 'ContainersNotReady'),
        condition('PodScheduled', true),
      ],
      ...(this.#init.length ? { initContainerStatuses: this.#init.map((r) => r.status()) } : {}),
      containerStatuses: this.#main.map((r) => r.status()),
    };
  }

  #emit(): void {
    this.#ctx.onStatus(this.status());
  }
}

interface Launch {
  process: ContainerLaunch;
  readiness?: { check: ProbeCheck; probe: V1Probe };
}
