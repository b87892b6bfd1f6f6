import type { V1Pod } from '@kubernetes/client-node';
import type { Stream, StreamStatus } from '@tributary/crds';
import { isConflict, isNotFound, type KubeApi } from './api-client.js';
import { objectPath, PODS, STREAM_API_VERSION, STREAMS } from './resources.js';

export const FIELD_MANAGER = 'tributary-operator';
const APPLY = 'application/apply-patch+yaml';

/** Server-side applies the pod (created when absent). Not forced: a conflict with another manager is an error. */
export function applyPod(api: KubeApi, pod: V1Pod): Promise<V1Pod> {
  const { name = '', namespace = '' } = pod.metadata ?? {};
  return api.request<V1Pod>('PATCH', objectPath(PODS, namespace, name), {
    query: { fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' },
    body: pod,
    contentType: APPLY,
  });
}

/** Deletes the pod with this uid; true when it was (already) gone or replaced by another. */
export async function deletePod(api: KubeApi, namespace: string, name: string, uid: string): Promise<void> {
  try {
    await api.request('DELETE', objectPath(PODS, namespace, name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } },
    });
  } catch (error) {
    // 404: already gone; 409: the uid precondition failed, so this pod is gone too.
    if (!isNotFound(error) && !isConflict(error)) throw error;
  }
}

/**
 * Applies the whole status through the status subresource. The operator is the only writer of
 * Stream status, so it takes ownership of every field it sets (force), and fields it stops
 * setting are removed.
 */
export async function applyStreamStatus(api: KubeApi, stream: Stream, status: StreamStatus): Promise<void> {
  const { name, namespace = '' } = stream.metadata;
  try {
    await api.request('PATCH', objectPath(STREAMS, namespace, name, 'status'), {
      query: { fieldManager: FIELD_MANAGER, force: true },
      body: { apiVersion: STREAM_API_VERSION, kind: 'Stream', metadata: { name, namespace }, status },
      contentType: APPLY,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error; // deleted meanwhile: nothing to report on
  }
}

/**
 * Replaces the Stream's finalizers, only if it is still at the resourceVersion read (a merge patch
 * carrying resourceVersion fails with 409 otherwise), so a finalizer another controller added
 * meanwhile is never dropped. Returns the updated Stream.
 */
export function patchStreamFinalizers(api: KubeApi, stream: Stream, finalizers: string[]): Promise<Stream> {
  const { name, namespace = '', resourceVersion } = stream.metadata;
  return api.request<Stream>('PATCH', objectPath(STREAMS, namespace, name), {
    body: { metadata: { finalizers, resourceVersion } },
    contentType: 'application/merge-patch+json',
  });
}
