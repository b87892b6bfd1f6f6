/**
 * Pure: the delay before retry number `doublings` (0 = the first): `baseMs` doubled that many
 * times, capped at `maxMs`. The one rule behind every retry loop on both sides (reconnects,
 * reconciles, watches, pod recreation).
 */
export function doublingDelayMs(baseMs: number, maxMs: number, doublings: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, doublings), 30));
}
