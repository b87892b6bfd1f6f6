import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Pod,
  type V1PodStatus,
  Watch,
} from '@kubernetes/client-node';
import { apiPodObjects, isNotFound } from './api.js';
import { DEFAULT_IMAGES, type ImageTable } from './images.js';
import { type NodeIdentity, registerNode, renewLease, reportNodeStatus } from './node-heartbeat.js';
import { PodRunner } from './pod-runner.js';
import type { TokenRequest } from './pod-volumes.js';
import { PodStatusWriter } from './status-writer.js';

export interface NodeAgentOptions {
  /** Credentials the agent uses (the harness passes the admin's). */
  kubeConfig: KubeConfig;
  nodeName: string;
  /** Pod directories, claims and nfs stand-ins go below this directory. */
  workDir: string;
  /** Image name -> local command; merged over DEFAULT_IMAGES (which has HOST_IMAGE). */
  images?: ImageTable;
  capacity?: Record<string, string>;
  labels?: Record<string, string>;
  /** What pods see as the in-cluster API (KUBERNETES_SERVICE_HOST/PORT). */
  apiServer: { host: string; port: number };
  kubeletVersion?: string;
  /** Pod IPs are 127.<octet>.x.y, so that pods may bind their own address; random when not given. */
  podIPOctet?: number;
  leaseDurationSeconds?: number;
  heartbeatMs?: number;
  restartBackoffMs?: number;
  maxRestartBackoffMs?: number;
}

interface PodEntry {
  runner: PodRunner;
  writer: PodStatusWriter;
  terminating?: Promise<void>;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/**
 * A kubelet stand-in: registers a Node, keeps its Lease and Ready condition fresh, and runs the
 * pods bound to it as local processes, reporting their status.
 */
export class NodeAgent {
  readonly nodeName: string;
  readonly #options: NodeAgentOptions;
  readonly #core: CoreV1Api;
  readonly #coordination: CoordinationV1Api;
  readonly #identity: NodeIdentity;
  readonly #pods = new Map<string, PodEntry>(); // by uid
  /** Every runner until its pod has settled, including those of pods forgotten while still stopping. */
  readonly #runners = new Set<PodRunner>();
  readonly #stop = new AbortController();
  readonly #octet: number;
  #nodeUid = '';
  #nextIP = 1;
  #watch: AbortController | undefined;
  #loops: Promise<unknown>[] = [];

  private constructor(options: NodeAgentOptions) {
    this.#options = options;
    this.nodeName = options.nodeName;
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#coordination = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.#octet = options.podIPOctet ?? 1 + Math.floor(Math.random() * 254);
    this.#identity = {
      name: options.nodeName,
      labels: options.labels ?? {},
      capacity: { cpu: '8', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi', ...options.capacity },
      kubeletVersion: options.kubeletVersion ?? 'v1.35.4',
    };
  }

  /** Registers the node and starts running its pods; resolves once the Node is Ready. */
  static async start(options: NodeAgentOptions): Promise<NodeAgent> {
    const agent = new NodeAgent(options);
    await fs.mkdir(options.workDir, { recursive: true });
    const node = await registerNode(agent.#core, agent.#identity);
    agent.#nodeUid = node.metadata?.uid ?? '';
    await renewLease(agent.#coordination, agent.nodeName, agent.#nodeUid, agent.#leaseSeconds);
    agent.#loops = [agent.#heartbeatLoop(), agent.#podLoop()];
    return agent;
  }

  get #leaseSeconds(): number {
    return this.#options.leaseDurationSeconds ?? 40;
  }

  /** Process ids of a pod's running containers (by container name), if the pod runs here. */
  podPids(namespace: string, name: string): Record<string, number> | undefined {
    for (const { runner } of this.#pods.values()) {
      if (runner.pod.metadata?.namespace === namespace && runner.pod.metadata?.name === name)
        return runner.pids();
    }
    return undefined;
  }

  /** Stops every pod process (SIGTERM, then SIGKILL after at most `graceMs`) and the agent's loops. */
  async stop(graceMs = 5000): Promise<void> {
    this.#stop.abort();
    this.#watch?.abort();
    for (const entry of this.#pods.values()) entry.writer.close();
    await Promise.all([...this.#runners].map((runner) => runner.terminate(graceMs / 1000)));
    await Promise.allSettled(this.#loops);
  }

  async #heartbeatLoop(): Promise<void> {
    const interval = this.#options.heartbeatMs ?? 10_000;
    let sinceStatus = 0;
    while (!this.#stop.signal.aborted) {
      try {
        await sleep(interval, undefined, { signal: this.#stop.signal });
      } catch {
        return;
      }
      try {
        await renewLease(this.#coordination, this.nodeName, this.#nodeUid, this.#leaseSeconds);
        sinceStatus += interval;
        if (sinceStatus >= 30_000) {
          sinceStatus = 0;
          await reportNodeStatus(this.#core, this.#identity);
        }
      } catch (error) {
        if (isNotFound(error) && !this.#stop.signal.aborted) {
          // Someone deleted the Node: register again, as a kubelet would.
          await registerNode(this.#core, this.#identity).catch(() => {});
        }
      }
    }
  }

  /** List, then watch from that resourceVersion; on any watch end, list again (after a pause). */
  async #podLoop(): Promise<void> {
    let delay = 250;
    while (!this.#stop.signal.aborted) {
      try {
        const list = await this.#core.listPodForAllNamespaces({
          fieldSelector: `spec.nodeName=${this.nodeName}`,
        });
        const seen = new Set<string>();
        for (const pod of list.items) {
          seen.add(pod.metadata?.uid ?? '');
          this.#observe(pod);
        }
        for (const [uid, entry] of this.#pods) if (!seen.has(uid)) this.#forget(uid, entry);
        delay = 250;
        await this.#watchFrom(list.metadata?.resourceVersion ?? '');
      } catch {
        // apiserver unavailable (restarting); retry below
      }
      try {
        await sleep(delay, undefined, { signal: this.#stop.signal });
      } catch {
        return;
      }
      delay = Math.min(delay * 2, 5000);
    }
  }

  #watchFrom(resourceVersion: string): Promise<void> {
    return new Promise((resolve) => {
      const watch = new Watch(this.#options.kubeConfig);
      const query = {
        fieldSelector: `spec.nodeName=${this.nodeName}`,
        resourceVersion,
        allowWatchBookmarks: true,
      };
      watch
        .watch(
          '/api/v1/pods',
          query,
          (type: string, pod: V1Pod) => {
            if (type === 'ADDED' || type === 'MODIFIED') this.#observe(pod);
            else if (type === 'DELETED') {
              const uid = pod.metadata?.uid ?? '';
              const entry = this.#pods.get(uid);
              if (entry) this.#forget(uid, entry);
            }
          },
          () => resolve(),
        )
        .then((controller) => {
          this.#watch = controller;
          if (this.#stop.signal.aborted) controller.abort();
        })
        .catch(() => resolve());
    });
  }

  #observe(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const entry = this.#pods.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      if (entry) {
        entry.terminating ??= this.#terminate(pod, entry);
      } else {
        this.#finalDelete(pod).catch(() => {});
      }
      return;
    }
    if (entry || TERMINAL.has(pod.status?.phase ?? '') || this.#stop.signal.aborted) return;
    this.#run(pod);
  }

  #run(pod: V1Pod): void {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid ?? '';
    const writer = new PodStatusWriter(this.#core, namespace, name);
    const podDir = path.join(this.#options.workDir, 'pods', `${namespace}_${name}_${uid.slice(0, 8)}`);
    const podIP = pod.spec?.hostNetwork ? '127.0.0.1' : this.#allocateIP();
    const runner = new PodRunner(pod, {
      images: { ...DEFAULT_IMAGES, ...this.#options.images },
      podDir,
      objects: apiPodObjects(this.#core),
      addresses: { podIP, hostIP: '127.0.0.1' },
      nodeAllocatable: this.#identity.capacity,
      mintToken: (request) => this.#mintToken(request),
      claimsDir: path.join(this.#options.workDir, 'claims'),
      nfsDir: path.join(this.#options.workDir, 'nfs'),
      extraEnv: {
        KUBERNETES_SERVICE_HOST: this.#options.apiServer.host,
        KUBERNETES_SERVICE_PORT: String(this.#options.apiServer.port),
        KUBERNETES_SERVICE_PORT_HTTPS: String(this.#options.apiServer.port),
      },
      backoffMs: this.#options.restartBackoffMs ?? 1000,
      maxBackoffMs: this.#options.maxRestartBackoffMs ?? 20_000,
      onStatus: (status: V1PodStatus) => writer.set(status),
    });
    this.#pods.set(uid, { runner, writer });
    this.#runners.add(runner);
    const settled = () => this.#runners.delete(runner);
    runner.done.then(settled, settled);
  }

  #allocateIP(): string {
    const n = this.#nextIP++;
    return `127.${this.#octet}.${(n >> 8) & 255}.${n & 255}`;
  }

  async #mintToken(request: TokenRequest): Promise<string> {
    const { pod } = request;
    const response = await this.#core.createNamespacedServiceAccountToken({
      namespace: request.namespace,
      name: request.serviceAccount,
      body: {
        spec: {
          audiences: request.audience ? [request.audience] : [],
          expirationSeconds: request.expirationSeconds ?? 3600,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
        },
      },
    });
    return response.status?.token ?? '';
  }

  /** Graceful deletion: stop the processes within the grace period, report, then remove the pod. */
  async #terminate(pod: V1Pod, entry: PodEntry): Promise<void> {
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    await entry.runner.terminate(grace);
    await entry.writer.flush();
    await this.#finalDelete(pod);
  }

  async #finalDelete(pod: V1Pod): Promise<void> {
    for (let attempt = 0; !this.#stop.signal.aborted; attempt++) {
      try {
        await this.#core.deleteNamespacedPod({
          namespace: pod.metadata?.namespace ?? 'default',
          name: pod.metadata?.name ?? '',
          // With a body, the apiserver reads the options from it alone (query parameters are ignored).
          body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } },
        });
        return;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code === 404 || code === 409) return;
        await sleep(Math.min(250 * 2 ** attempt, 5000));
      }
    }
  }

  /** The pod vanished from the API: kill its processes at once. */
  #forget(uid: string, entry: PodEntry): void {
    this.#pods.delete(uid);
    entry.writer.close();
    entry.runner.terminate(0).catch(() => {});
  }
}
