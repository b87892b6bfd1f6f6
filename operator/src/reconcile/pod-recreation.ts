import type { PodRecreation } from '@tributary/crds';
import { freshMemory, type PodMemory } from './pod-decision.js';

/** status.podRecreation.lastFailure holds at most this many characters (the schema allows 4096). */
export const LAST_FAILURE_MAX_CHARS = 1024;

/**
 * The recreation backoff of a Stream's pod memory as `status.podRecreation`, so that the next
 * leader continues it; undefined while no pod failed. The rest of the memory (pods created, seen)
 * describes this process's cache and is not kept. Pure.
 */
export function podRecreationOf(memory: PodMemory): PodRecreation | undefined {
  if (memory.failures < 1) return undefined;
  const recreation: PodRecreation = {
    failures: memory.failures,
    notBefore: new Date(memory.notBefore).toISOString(),
  };
  if (memory.lastFailure) recreation.lastFailure = memory.lastFailure.slice(0, LAST_FAILURE_MAX_CHARS);
  return recreation;
}

/**
 * The pod memory a Stream starts with when this process has none (a new leader, a restart): the
 * backoff from its status, and the last pod counted as failed, so the next one is "recreated".
 * A missing or unreadable field starts afresh. Pure.
 */
export function memoryFromStatus(recreation: PodRecreation | undefined): PodMemory {
  const failures = recreation?.failures;
  if (!recreation || typeof failures !== 'number' || !Number.isInteger(failures) || failures < 1)
    return freshMemory();
  const notBefore = Date.parse(recreation.notBefore);
  const lastFailure = typeof recreation.lastFailure === 'string' ? recreation.lastFailure : '';
  return {
    failures,
    notBefore: Number.isFinite(notBefore) ? notBefore : 0,
    ...(lastFailure && { lastFailure }),
    deleted: { uid: '', reason: 'failed', detail: lastFailure },
  };
}
