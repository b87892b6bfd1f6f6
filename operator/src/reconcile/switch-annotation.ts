import type { Stream } from '@tributary/crds';
import { isConflict, type KubeApi } from '../kube/api-client.js';
import { objectPath, STREAMS } from '../kube/resources.js';

/**
 * Set on a Stream to switch its ingest pod to the input with that priority, e.g.
 * `kubectl annotate stream news tributary.io/switch-to=1`. Who may do it is whoever RBAC lets
 * patch the Stream. The operator relays it and removes it.
 */
export const SWITCH_ANNOTATION = 'tributary.io/switch-to';

export type SwitchRequest = { ok: true; priority: number } | { ok: false; message: string };

/** The priority the annotation asks for. Pure. */
export function parseSwitchRequest(value: string, inputCount: number): SwitchRequest {
  const priority = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (Number.isInteger(priority) && priority < inputCount) return { ok: true, priority };
  const known = inputCount === 1 ? '0' : `0..${inputCount - 1}`;
  return {
    ok: false,
    message: `${SWITCH_ANNOTATION}: "${value}" is not the priority of an input of this Stream (${known}); removed it, nothing switched`,
  };
}

/**
 * Removes the annotation only while it still holds `value` (a JSON patch `test`), so a newer
 * request written meanwhile is kept and handled next. False when it changed or the Stream is gone.
 */
export async function removeSwitchAnnotation(api: KubeApi, stream: Stream, value: string): Promise<boolean> {
  const { name, namespace = '' } = stream.metadata;
  const path = `/metadata/annotations/${SWITCH_ANNOTATION.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  try {
    await api.request('PATCH', objectPath(STREAMS, namespace, name), {
      body: [
        { op: 'test', path, value },
        { op: 'remove', path },
      ],
      contentType: 'application/json-patch+json',
    });
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // 422: the test failed (changed or removed meanwhile); 404: the Stream is gone.
    if (code === 422 || code === 404 || isConflict(error)) return false;
    throw error;
  }
}
