import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { NodeAgent, type NodeAgentOptions } from './agent/node-agent.js';
import { type KubeBinaries, kubeBinaries } from './binaries.js';
import { ClusterClient } from './client.js';
import type { Component } from './component.js';
import {
  allocatePorts,
  apiServerComponent,
  type ControlPlaneLayout,
  type ControlPlanePorts,
  controllerManagerComponent,
  etcdComponent,
  schedulerComponent,
} from './control-plane.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { kwokComponent, kwokNode } from './kwok.js';
import { type ClusterPki, generatePki } from './pki.js';

/** Node agent settings a test may choose; the harness fills in credentials, paths and the API address. */
export type AgentOptions = Partial<Omit<NodeAgentOptions, 'kubeConfig' | 'apiServer' | 'workDir'>>;

export interface ClusterOptions {
  /** Run kube-controller-manager (Deployments, ReplicaSets, ServiceAccounts, garbage collection…). */
  controllerManager?: boolean;
  /** Extra kube-controller-manager flags, e.g. `--kube-api-qps=…` (defaults otherwise). */
  controllerManagerArgs?: readonly string[];
  /** Run kube-scheduler; without it, pods must set spec.nodeName themselves. */
  scheduler?: boolean;
  /** Start kwok and create this many fake Nodes (tainted kwok.x-k8s.io/node=fake:NoSchedule). */
  kwokNodes?: number;
  /** Run a node agent (a Node whose pods run as local processes): true for defaults, or options. */
  agent?: boolean | AgentOptions;
  /** Keep the cluster's directory (logs) after stop(); also when TRIBUTARY_KEEP_CLUSTER=1. */
  keepDir?: boolean;
}

function tmpfsDir(prefix: string): string {
  const shm = '/dev/shm';
  try {
    fs.accessSync(shm, fs.constants.W_OK);
    return fs.mkdtempSync(path.join(shm, prefix));
  } catch {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }
}

/** A running control plane: etcd and kube-apiserver, plus whatever the options asked for. */
export class Cluster extends ClusterClient {
  readonly dir: string;
  readonly binaries: KubeBinaries;
  readonly pki: ClusterPki;
  readonly ports: ControlPlanePorts;
  /** Path of the admin kubeconfig (also what `KUBECONFIG` should point at for kubectl and helm). */
  readonly kubeconfigPath: string;
  readonly agent: NodeAgent | undefined;
  readonly #layout: ControlPlaneLayout;
  readonly #apiServer: Component;
  readonly #components: Component[];
  readonly #keepDir: boolean;
  #stopped = false;

  constructor(init: {
    layout: ControlPlaneLayout;
    binaries: KubeBinaries;
    pki: ClusterPki;
    ports: ControlPlanePorts;
    kubeconfigPath: string;
    kubeConfig: KubeConfig;
    apiServer: Component;
    components: Component[];
    agent: NodeAgent | undefined;
    runsControllerManager: boolean;
    keepDir: boolean;
  }) {
    super(init.kubeConfig, init.pki.caCert, init.runsControllerManager);
    this.dir = init.layout.dir;
    this.#layout = init.layout;
    this.binaries = init.binaries;
    this.pki = init.pki;
    this.ports = init.ports;
    this.kubeconfigPath = init.kubeconfigPath;
    this.#apiServer = init.apiServer;
    this.#components = init.components;
    this.agent = init.agent;
    this.#keepDir = init.keepDir;
  }

  get server(): string {
    return `https://127.0.0.1:${this.ports.apiServer}`;
  }

  /** Stops kube-apiserver and starts it again on the same port (clients must ride through it). */
  async restartApiServer(): Promise<void> {
    await this.#apiServer.stop();
    await this.#apiServer.start();
  }

  /** Environment for kubectl/helm child processes pointed at this cluster. */
  toolEnv(): Record<string, string> {
    return {
      PATH: `${path.dirname(this.binaries.kubectl)}:${path.dirname(this.binaries.helm)}:${process.env.PATH ?? ''}`,
      KUBECONFIG: this.kubeconfigPath,
      HOME: this.dir,
      HELM_CACHE_HOME: path.join(this.dir, 'helm/cache'),
      HELM_CONFIG_HOME: path.join(this.dir, 'helm/config'),
      HELM_DATA_HOME: path.join(this.dir, 'helm/data'),
    };
  }

  /** Stops everything this cluster started (agent pods first, etcd last) and deletes its files. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.agent?.stop();
    for (const component of [...this.#components].reverse()) await component.stop();
    fs.rmSync(this.#layout.etcdDataDir, { recursive: true, force: true });
    if (!this.#keepDir && process.env.TRIBUTARY_KEEP_CLUSTER !== '1')
      fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a fresh cluster on free loopback ports; call stop() when done (also on failure paths). */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const binaries = kubeBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cluster-'));
  const layout: ControlPlaneLayout = {
    dir,
    etcdDataDir: tmpfsDir('tributary-etcd-'),
    logDir: path.join(dir, 'logs'),
  };
  fs.mkdirSync(layout.logDir);
  const started: Component[] = [];
  let agent: NodeAgent | undefined;
  const cleanup = async () => {
    await agent?.stop();
    for (const component of started.reverse()) await component.stop();
    fs.rmSync(layout.etcdDataDir, { recursive: true, force: true });
  };
  try {
    const [pki, ports] = await Promise.all([generatePki(path.join(dir, 'pki')), allocatePorts()]);
    const server = `https://127.0.0.1:${ports.apiServer}`;
    const etcd = etcdComponent(binaries, layout, ports);
    await etcd.start();
    started.push(etcd);
    const apiServer = apiServerComponent(binaries, layout, ports, pki);
    await apiServer.start();
    started.push(apiServer);

    const kubeconfigPath = path.join(dir, 'admin.kubeconfig');
    const yaml = kubeconfigYaml({ server, caCert: pki.caCert, user: pki.admin.user, client: pki.admin });
    fs.writeFileSync(kubeconfigPath, yaml, { mode: 0o600 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(yaml);

    const optional: Promise<Component>[] = [];
    if (options.controllerManager)
      optional.push(controllerManagerComponent(binaries, layout, server, pki, options.controllerManagerArgs));
    if (options.scheduler) optional.push(schedulerComponent(binaries, layout, server, pki));
    if (options.kwokNodes) optional.push(kwokComponent(binaries, layout, kubeconfigPath));
    const extras = await Promise.all(optional);
    // allSettled, so that a failure is handled only once every sibling is started (and cleanable)
    const results = await Promise.allSettled(
      extras.map(async (component) => {
        await component.start();
        started.push(component);
      }),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;

    const runsControllerManager = options.controllerManager ?? false;
    await new ClusterClient(kubeConfig, pki.caCert, runsControllerManager).prepareNamespace('default');
    if (options.kwokNodes) {
      const core = kubeConfig.makeApiClient(CoreV1Api);
      for (let i = 0; i < options.kwokNodes; i++) await core.createNode({ body: kwokNode(`kwok-node-${i}`) });
    }
    if (options.agent) {
      const agentOptions = options.agent === true ? {} : options.agent;
      agent = await NodeAgent.start({
        kubeConfig,
        nodeName: 'tributary-node',
        workDir: path.join(dir, 'agent'),
        apiServer: { host: '127.0.0.1', port: ports.apiServer },
        ...agentOptions,
      });
    }
    const cluster = new Cluster({
      layout,
      binaries,
      pki,
      ports,
      kubeconfigPath,
      kubeConfig,
      apiServer,
      components: [...started],
      agent,
      runsControllerManager,
      keepDir: options.keepDir ?? false,
    });
    return cluster;
  } catch (error) {
    await cleanup();
    const logs = `cluster logs kept in ${layout.logDir}`;
    if (error instanceof Error) error.message = `${error.message}\n(${logs})`;
    throw error;
  }
}
