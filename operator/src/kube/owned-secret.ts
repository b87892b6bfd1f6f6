import type { V1Secret } from '@kubernetes/client-node';
import { isConflict, isNotFound, type KubeApi } from './api-client.js';
import { collectionPath, objectPath, SECRETS } from './resources.js';

/** Every Secret the operator writes carries it; one without it is never overwritten. */
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'tributary-operator' } as const;

/**
 * Secret `<namespace>/<name>`, created from `create()` (string data) when absent. When another
 * replica creates it at the same time, its copy wins and is returned, so every replica agrees.
 */
export async function readOrCreateSecret(
  api: KubeApi,
  namespace: string,
  name: string,
  create: () => Promise<Record<string, string>> | Record<string, string>,
): Promise<{ secret: V1Secret; created: boolean }> {
  const path = objectPath(SECRETS, namespace, name);
  try {
    return { secret: await api.get<V1Secret>(path), created: false };
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const secret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { ...MANAGED_BY_LABEL } },
    type: 'Opaque',
    stringData: await create(),
  };
  try {
    return {
      secret: await api.request<V1Secret>('POST', collectionPath(SECRETS, namespace), { body: secret }),
      created: true,
    };
  } catch (error) {
    if (!isConflict(error)) throw error;
    return { secret: await api.get<V1Secret>(path), created: false };
  }
}

/** One key of a Secret's data as text (undefined when absent). */
export function secretText(secret: V1Secret, key: string): string | undefined {
  const value = secret.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8').trim();
}
