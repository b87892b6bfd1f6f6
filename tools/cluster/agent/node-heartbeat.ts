import os from 'node:os';
import type { CoordinationV1Api, CoreV1Api, V1Node, V1NodeCondition } from '@kubernetes/client-node';
import { isConflict, isNotFound, mergePatch } from './api.js';

export interface NodeIdentity {
  name: string;
  labels: Record<string, string>;
  capacity: Record<string, string>;
  kubeletVersion: string;
}

const LEASE_NAMESPACE = 'kube-node-lease';

/** A MicroTime as the API wants it: RFC 3339 with exactly six fractional digits. */
function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function conditions(now: Date): V1NodeCondition[] {
  const condition = (type: string, status: string, reason: string, message: string): V1NodeCondition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return [
    condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'node agent has sufficient memory'),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'node agent has no disk pressure'),
    condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'node agent has sufficient PID available'),
    condition('Ready', 'True', 'KubeletReady', 'tributary node agent is posting ready status'),
  ];
}

function nodeStatus(node: NodeIdentity, now: Date): V1Node['status'] {
  return {
    capacity: node.capacity,
    allocatable: node.capacity,
    conditions: conditions(now),
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: node.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: os.release(),
      osImage: 'tributary node agent',
      containerRuntimeVersion: 'local-process://1',
      kubeletVersion: node.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
}

/** Creates (or adopts) the Node object, with Ready status. */
export async function registerNode(core: CoreV1Api, node: NodeIdentity): Promise<V1Node> {
  const labels = {
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
    ...node.labels,
  };
  try {
    await core.createNode({
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name: node.name, labels } },
    });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  return reportNodeStatus(core, node);
}

export function reportNodeStatus(core: CoreV1Api, node: NodeIdentity): Promise<V1Node> {
  return core.patchNodeStatus(
    { name: node.name, body: { status: nodeStatus(node, new Date()) } },
    mergePatch(),
  );
}

/** Renews (creating when missing) the node's Lease in kube-node-lease, which is what marks it alive. */
export async function renewLease(
  coordination: CoordinationV1Api,
  nodeName: string,
  nodeUid: string,
  durationSeconds: number,
): Promise<void> {
  const spec = { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: microTime() };
  try {
    await coordination.patchNamespacedLease(
      { namespace: LEASE_NAMESPACE, name: nodeName, body: { spec } },
      mergePatch(),
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: nodeName,
        namespace: LEASE_NAMESPACE,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }],
      },
      spec,
    };
    // biome-ignore lint/suspicious/noExplicitAny: renewTime must stay a microsecond string, not a Date
    await coordination.createNamespacedLease({ namespace: LEASE_NAMESPACE, body: body as any });
  }
}
