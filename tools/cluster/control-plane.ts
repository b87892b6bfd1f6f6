import fs from 'node:fs';
import path from 'node:path';
import type { KubeBinaries } from './binaries.js';
import { Component } from './component.js';
import { kubeconfigYaml } from './kubeconfig.js';
import type { ClientIdentity, ClusterPki } from './pki.js';
import { freePort } from './ports.js';

export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** Where one cluster keeps its state: everything below `dir` is deleted on stop. */
export interface ControlPlaneLayout {
  dir: string;
  /** etcd's data; on tmpfs when the machine has /dev/shm. */
  etcdDataDir: string;
  logDir: string;
}

export interface ControlPlanePorts {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
}

export async function allocatePorts(): Promise<ControlPlanePorts> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [etcdClient, etcdPeer, apiServer] = [...ports] as [number, number, number];
  return { etcdClient, etcdPeer, apiServer };
}

export function etcdComponent(
  bin: KubeBinaries,
  layout: ControlPlaneLayout,
  ports: ControlPlanePorts,
): Component {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return new Component({
    name: 'etcd',
    binary: bin.etcd,
    args: [
      '--name=tributary',
      `--data-dir=${layout.etcdDataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=tributary=${peer}`,
      '--initial-cluster-state=new',
      // Test data is disposable; skipping fsync is what makes etcd fast on a shared disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    logDir: layout.logDir,
    health: { url: `${client}/health` },
  });
}

export function apiServerComponent(
  bin: KubeBinaries,
  layout: ControlPlaneLayout,
  ports: ControlPlanePorts,
  pki: ClusterPki,
): Component {
  return new Component({
    name: 'kube-apiserver',
    binary: bin.kubeApiserver,
    args: [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${ports.apiServer}`,
      `--cert-dir=${path.join(layout.dir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.serving.cert}`,
      `--tls-private-key-file=${pki.serving.key}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--allow-privileged=true',
      '--profiling=false',
      '--v=1',
    ],
    logDir: layout.logDir,
    health: {
      url: `https://127.0.0.1:${ports.apiServer}/readyz`,
      ca: fs.readFileSync(pki.caCert),
      cert: fs.readFileSync(pki.admin.cert),
      key: fs.readFileSync(pki.admin.key),
    },
    startTimeoutMs: 120_000,
  });
}

function writeKubeconfig(
  layout: ControlPlaneLayout,
  name: string,
  server: string,
  pki: ClusterPki,
  id: ClientIdentity,
) {
  const file = path.join(layout.dir, `${name}.kubeconfig`);
  fs.writeFileSync(file, kubeconfigYaml({ server, caCert: pki.caCert, user: id.user, client: id }), {
    mode: 0o600,
  });
  return file;
}

/** kube-controller-manager and kube-scheduler serve only their health endpoints, on a free port. */
async function servingArgs(
  layout: ControlPlaneLayout,
  name: string,
): Promise<{ args: string[]; port: number }> {
  const port = await freePort();
  return {
    port,
    args: [
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${path.join(layout.dir, `${name}-certs`)}`,
    ],
  };
}

export async function controllerManagerComponent(
  bin: KubeBinaries,
  layout: ControlPlaneLayout,
  server: string,
  pki: ClusterPki,
  extraArgs: readonly string[] = [],
): Promise<Component> {
  const kubeconfig = writeKubeconfig(layout, 'controller-manager', server, pki, pki.controllerManager);
  const serving = await servingArgs(layout, 'controller-manager');
  return new Component({
    name: 'kube-controller-manager',
    binary: bin.kubeControllerManager,
    args: [
      `--kubeconfig=${kubeconfig}`,
      ...serving.args,
      '--leader-elect=false',
      // Each controller acts as its own ServiceAccount, under the bootstrap RBAC roles, as in kubeadm.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--profiling=false',
      ...extraArgs,
    ],
    logDir: layout.logDir,
    health: { url: `https://127.0.0.1:${serving.port}/healthz` },
  });
}

export async function schedulerComponent(
  bin: KubeBinaries,
  layout: ControlPlaneLayout,
  server: string,
  pki: ClusterPki,
): Promise<Component> {
  const kubeconfig = writeKubeconfig(layout, 'scheduler', server, pki, pki.scheduler);
  const serving = await servingArgs(layout, 'scheduler');
  return new Component({
    name: 'kube-scheduler',
    binary: bin.kubeScheduler,
    args: [`--kubeconfig=${kubeconfig}`, ...serving.args, '--leader-elect=false', '--profiling=false'],
    logDir: layout.logDir,
    health: { url: `https://127.0.0.1:${serving.port}/healthz` },
  });
}
