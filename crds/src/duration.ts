/**
 * Durations are written the way Go's time.ParseDuration (and so CEL's `duration()`) reads them:
 * one or more `<number><unit>` terms, e.g. "500ms", "1.5s", "1m30s". Signs are not accepted.
 * This pattern is also the CEL rule's regular expression, so both sides accept the same strings.
 */
export const DURATION_PATTERN = '^(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$';

const NS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NS = 2n ** 63n - 1n; // Go's time.Duration is an int64 of nanoseconds
const term = /([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/y;
const whole = new RegExp(DURATION_PATTERN);

/** Milliseconds (possibly fractional) for a Go-style duration, or undefined if it does not parse. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0; // Go accepts a bare zero without a unit
  if (!whole.test(text)) return undefined;
  let total = 0n;
  term.lastIndex = 0;
  while (term.lastIndex < text.length) {
    const match = term.exec(text);
    if (!match) return undefined;
    const [, intPart = '', fraction = '', unit = ''] = match;
    const scale = NS_PER_UNIT[unit];
    if (scale === undefined) return undefined;
    total += BigInt(intPart || '0') * scale;
    if (fraction) total += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
    if (total > MAX_NS) return undefined;
  }
  return Number(total) / 1e6;
}
