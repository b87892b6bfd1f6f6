import { API_VERSION, GROUP, STREAM, VERSION, VOD_MOUNT } from '@tributary/crds';
import type { KubeApi } from './api-client.js';

/** A namespaced resource the operator reads or writes. */
export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const STREAMS: ResourceType = {
  group: GROUP,
  version: VERSION,
  plural: STREAM.plural,
  kind: STREAM.kind,
};
export const VOD_MOUNTS: ResourceType = {
  group: GROUP,
  version: VERSION,
  plural: VOD_MOUNT.plural,
  kind: VOD_MOUNT.kind,
};
export const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod' };
export const SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' };
export const EVENTS: ResourceType = { group: '', version: 'v1', plural: 'events', kind: 'Event' };
export const LEASES: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
};
export { API_VERSION as STREAM_API_VERSION };

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

function prefix(type: ResourceType): string {
  return type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
}

/** `/api/v1/pods` (all namespaces) or `/api/v1/namespaces/<ns>/pods`. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  return namespace === undefined
    ? `${prefix(type)}/${type.plural}`
    : `${prefix(type)}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
}

export function objectPath(
  type: ResourceType,
  namespace: string,
  name: string,
  subresource?: string,
): string {
  const path = `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
  return subresource ? `${path}/${subresource}` : path;
}

export interface ObjectList<T> {
  metadata: { resourceVersion?: string };
  items: T[];
}

interface Page<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

/**
 * Lists a collection page by page (one consistent snapshot) and gives the items back with
 * apiVersion and kind set, which list responses leave out.
 */
export async function listAll<T extends object>(
  api: KubeApi,
  type: ResourceType,
  options: {
    namespace?: string | undefined;
    labelSelector?: string | undefined;
    pageSize?: number;
    accept?: string | undefined;
    /** Called on each item as its page arrives, e.g. to trim it before the next page is read. */
    prepare?: ((item: T) => void) | undefined;
  } = {},
): Promise<ObjectList<T>> {
  const items: T[] = [];
  let token: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const page = await api.request<Page<T>>('GET', collectionPath(type, options.namespace), {
      query: { limit: options.pageSize ?? 500, continue: token, labelSelector: options.labelSelector },
      accept: options.accept,
    });
    for (const item of page.items ?? []) {
      const object = { ...item, apiVersion: apiVersionOf(type), kind: type.kind };
      options.prepare?.(object);
      items.push(object);
    }
    token = page.metadata?.continue || undefined;
    resourceVersion = page.metadata?.resourceVersion;
  } while (token);
  return { metadata: { resourceVersion }, items };
}
