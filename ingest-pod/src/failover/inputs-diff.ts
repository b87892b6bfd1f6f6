import type { FailoverInputSpec } from './types.js';

/** What became of each entry of the new list. `from` is the old index it continues, if any. */
export type InputChange =
  | { kind: 'unchanged'; from: number }
  | { kind: 'updated'; from: number }
  | { kind: 'added' };

export interface InputsDiff {
  /** Index = new priority. */
  next: InputChange[];
  /** Old priorities that are gone. */
  removed: number[];
}

/**
 * Matches a new input list against the old one. An input whose configuration is unchanged keeps
 * its identity even when its priority moved (so removing input 0 does not restart input 1);
 * a changed configuration at the same priority is an update; everything else is added or removed.
 */
export function diffInputs(
  before: readonly FailoverInputSpec[],
  after: readonly FailoverInputSpec[],
): InputsDiff {
  const next: (InputChange | undefined)[] = after.map(() => undefined);
  const taken = new Set<number>();
  const claim = (j: number, i: number, kind: 'unchanged' | 'updated') => {
    next[j] = { kind, from: i };
    taken.add(i);
  };

  after.forEach((spec, j) => {
    if (before[j]?.configHash === spec.configHash) claim(j, j, 'unchanged');
  });
  after.forEach((spec, j) => {
    if (next[j] !== undefined) return;
    const i = before.findIndex((old, k) => !taken.has(k) && old.configHash === spec.configHash);
    if (i >= 0) claim(j, i, 'unchanged');
  });
  after.forEach((_, j) => {
    if (next[j] === undefined && j < before.length && !taken.has(j)) claim(j, j, 'updated');
  });

  return {
    next: next.map((change) => change ?? { kind: 'added' }),
    removed: before.map((_, i) => i).filter((i) => !taken.has(i)),
  };
}
