import { DEFAULT_SUBJECT_PREFIX, subjectPrefixProblem } from '@tributary/crds';

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

export function parsePort(flag: string, value: string): number {
  const n = parseNonNegativeInteger(flag, value);
  if (n > 65535) throw new CliError(`${flag}: ${n} is not a port`);
  return n;
}

/** The NATS flags of the long-running commands (push-listener, buffer), for parseArgs. */
export const NATS_FLAGS = {
  'nats-url': { type: 'string' },
  'nats-creds': { type: 'string' },
  'subject-prefix': { type: 'string', default: DEFAULT_SUBJECT_PREFIX },
} as const;

/** Reads NATS_FLAGS, falling back to env NATS_URL and NATS_CREDS. */
export function natsFlags(
  values: { 'nats-url'?: string; 'nats-creds'?: string; 'subject-prefix': string },
  env: NodeJS.ProcessEnv,
): { natsUrl: string; natsCreds: string | undefined; prefix: string } {
  const natsUrl = values['nats-url'] ?? env.NATS_URL;
  if (natsUrl === undefined || natsUrl === '')
    throw new CliError('no NATS server: give --nats-url or env NATS_URL (e.g. nats://nats:4222)');
  const prefix = values['subject-prefix'];
  const prefixProblem = subjectPrefixProblem(prefix);
  if (prefixProblem !== undefined) throw new CliError(`--subject-prefix: ${prefixProblem}`);
  return { natsUrl, natsCreds: values['nats-creds'] ?? (env.NATS_CREDS || undefined), prefix };
}
