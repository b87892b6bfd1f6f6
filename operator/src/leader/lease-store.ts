import { isNotFound, type KubeApi } from '../kube/api-client.js';
import { collectionPath, LEASES, objectPath } from '../kube/resources.js';

/** A coordination.k8s.io/v1 Lease as stored: times are RFC 3339 with microseconds. */
export interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Reads and writes one Lease; `replace` carries the read resourceVersion, so a race loses with 409. */
export interface LeaseStore {
  read(): Promise<LeaseObject | undefined>;
  create(lease: LeaseObject): Promise<void>;
  replace(lease: LeaseObject): Promise<void>;
}

/** metav1.MicroTime: `2026-01-02T03:04:05.678000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function kubeLeaseStore(api: KubeApi, namespace: string, name: string): LeaseStore {
  const path = objectPath(LEASES, namespace, name);
  const body = (lease: LeaseObject) => ({ ...lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' });
  return {
    async read() {
      try {
        return await api.get<LeaseObject>(path);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async create(lease) {
      await api.request('POST', collectionPath(LEASES, namespace), { body: body(lease) });
    },
    async replace(lease) {
      await api.request('PUT', path, { body: body(lease) });
    },
  };
}
