import { createHash, randomBytes } from 'node:crypto';

/** JSON with object keys sorted and undefined members left out, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A short, stable digest of `value` (16 hex digits of SHA-256 over its canonical JSON). */
export function specHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** A new random salt for `saltedDigest` (hex). */
export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/**
 * `digest` hashed again with `salt`, so a hash annotation that covers secret values cannot be
 * checked against a dictionary of likely values without the salt (and differs per Stream).
 */
export function saltedDigest(salt: string, digest: string): string {
  return createHash('sha256').update(`${salt}\n${digest}`).digest('hex');
}
