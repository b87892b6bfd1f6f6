import type { Condition, ConditionValue } from '@tributary/crds';

export type { ConditionStatus, ConditionValue } from '@tributary/crds';

/** metav1.Time: RFC 3339 with whole seconds, as the apiserver writes it. */
export function metaTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * A condition as it should be stored: lastTransitionTime moves only when the status does, so a
 * changed reason or message alone keeps the time of the last real transition.
 */
export function condition(
  type: string,
  value: ConditionValue,
  previous: readonly Condition[] | undefined,
  generation: number,
  now: number,
): Condition {
  const before = previous?.find((c) => c.type === type);
  const lastTransitionTime =
    before && before.status === value.status ? before.lastTransitionTime : metaTime(now);
  return {
    type,
    status: value.status,
    observedGeneration: generation,
    lastTransitionTime,
    reason: value.reason,
    message: value.message.slice(0, 32_768),
  };
}
