import {
  type ConfigurationOptions,
  type CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Secret,
} from '@kubernetes/client-node';
import type { PodObjects } from './pod-env.js';

/** HTTP status of a failed client-node call, if it carries one. */
export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (error: unknown) => statusCode(error) === 404;
export const isConflict = (error: unknown) => statusCode(error) === 409;

/** Request options that send a body as a JSON merge patch. */
export function mergePatch(): ConfigurationOptions {
  return setHeaderOptions('Content-Type', PatchStrategy.MergePatch) as ConfigurationOptions;
}

/** Secrets and ConfigMaps read straight from the API (no cache: tests change them under a pod). */
export function apiPodObjects(core: CoreV1Api): PodObjects {
  const orUndefined = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  return {
    secret: (namespace, name): Promise<V1Secret | undefined> =>
      orUndefined(() => core.readNamespacedSecret({ namespace, name })),
    configMap: (namespace, name): Promise<V1ConfigMap | undefined> =>
      orUndefined(() => core.readNamespacedConfigMap({ namespace, name })),
  };
}
