import type { SwitchRecord } from '@tributary/crds';

export const SWITCH_HISTORY = 20;

const keyOf = (s: SwitchRecord) => `${s.at}|${s.from}|${s.to}`;

/**
 * Switch history across pod lifetimes: the pod only remembers its own switches, the Stream keeps
 * the newest 20 of everything seen. `added` counts the records newer than anything known before
 * that were failovers (not the first activation), for `failoverCount`.
 */
export function mergeSwitches(
  previous: readonly SwitchRecord[],
  reported: readonly SwitchRecord[],
): { switches: SwitchRecord[]; added: SwitchRecord[] } {
  const known = new Set(previous.map(keyOf));
  const newestKnown = previous.reduce((max, s) => Math.max(max, Date.parse(s.at)), Number.NEGATIVE_INFINITY);
  const added = reported.filter((s) => !known.has(keyOf(s)) && Date.parse(s.at) > newestKnown);
  const switches = [...added, ...previous]
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
    .slice(0, SWITCH_HISTORY);
  return { switches, added };
}
