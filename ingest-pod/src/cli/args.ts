/** A usage or argument error: printed without a stack, exit code 2. */
export class CliError extends Error {
  override name = 'CliError';
}

export function parseNonNegativeInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new CliError(`${flag} takes a whole number ≥ 0, got "${value}"`);
  }
  return n;
}

export function parsePositiveSeconds(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`${flag} takes a number of seconds > 0, got "${value}"`);
  return n;
}

export function parseIntegerList(flag: string, value: string, min: number, max: number): number[] {
  return value.split(',').map((part) => {
    const n = parseNonNegativeInteger(flag, part.trim());
    if (n < min || n > max) throw new CliError(`${flag}: ${n} is outside ${min}..${max}`);
    return n;
  });
}
