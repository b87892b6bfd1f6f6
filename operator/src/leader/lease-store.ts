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

/**
 * Reads and writes one Lease; `replace` carries the read resourceVersion, so a race loses with 409.
 * Writes give back the stored Lease when the store knows it; `signal` aborts a call that overruns.
 */
export interface LeaseStore {
  read(signal?: AbortSignal): Promise<LeaseObject | undefined>;
  create(lease: LeaseObject, signal?: AbortSignal): Promise<LeaseObject | undefined>;
  replace(lease: LeaseObject, signal?: AbortSignal): Promise<LeaseObject | undefined>;
}

/** metav1.MicroTime: `2026-01-02T03:04:05.678000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function kubeLeaseStore(api: KubeApi, namespace: string, name: string): LeaseStore {
  const path = objectPath(LEASES, namespace, name);
  const body = (lease: LeaseObject) => ({ ...lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' });
  return {
    async read(signal) {
      try {
        return await api.get<LeaseObject>(path, undefined, signal);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    create(lease, signal) {
      return api.request<LeaseObject>('POST', collectionPath(LEASES, namespace), {
        body: body(lease),
        signal,
      });
    },
    replace(lease, signal) {
      return api.request<LeaseObject>('PUT', path, { body: body(lease), signal });
    },
  };
}
