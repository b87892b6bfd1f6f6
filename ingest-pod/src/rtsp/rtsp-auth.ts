import { createHash, randomBytes } from 'node:crypto';
import type { RtspCredentials } from './rtsp-url.js';

export interface AuthChallenge {
  scheme: 'basic' | 'digest';
  realm: string;
  nonce?: string;
  opaque?: string;
  /** Upper case: `MD5`, `SHA-256` (digest only). */
  algorithm?: string;
  /** The qop options offered (`auth`, `auth-int`). */
  qop?: string[];
  stale?: boolean;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

/** Splits `a=b, c="d, e"` into pairs, honouring quoted strings. */
function authParams(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  for (let m = pattern.exec(text); m !== null && m[0] !== ''; m = pattern.exec(text)) {
    out[(m[1] as string).toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return out;
}

/** Parses WWW-Authenticate values (one challenge each, as servers send them); unknown schemes are skipped. */
export function parseChallenges(values: readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const value of values) {
    const m = /^\s*(\S+)\s*(.*)$/s.exec(value);
    if (!m) continue;
    const scheme = (m[1] as string).toLowerCase();
    const params = authParams(m[2] as string);
    if (scheme === 'basic') out.push({ scheme, realm: params.realm ?? '' });
    if (scheme !== 'digest' || params.nonce === undefined) continue;
    const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
    out.push({
      scheme,
      realm: params.realm ?? '',
      nonce: params.nonce,
      algorithm,
      ...(params.opaque !== undefined && { opaque: params.opaque }),
      ...(params.qop !== undefined && { qop: params.qop.split(',').map((q) => q.trim().toLowerCase()) }),
      ...(params.stale?.toLowerCase() === 'true' && { stale: true }),
    });
  }
  return out;
}

/** The strongest challenge this client can answer: Digest SHA-256, Digest MD5, then Basic. */
export function chooseChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  const usable = (c: AuthChallenge) =>
    c.scheme === 'basic' ||
    (HASHES[c.algorithm ?? 'MD5'] !== undefined && (c.qop === undefined || c.qop.includes('auth')));
  const rank = (c: AuthChallenge) => (c.scheme === 'basic' ? 0 : c.algorithm === 'SHA-256' ? 2 : 1);
  return challenges.filter(usable).sort((a, b) => rank(b) - rank(a))[0];
}

function hash(algorithm: string, text: string): string {
  return createHash(HASHES[algorithm] ?? 'md5')
    .update(text, 'utf8')
    .digest('hex');
}

export interface DigestInput {
  method: string;
  uri: string;
  /** Request count under this nonce, from 1. */
  nc: number;
  cnonce: string;
}

/** The digest `response` value (RFC 2617 §3.2.2, RFC 7616 §3.4.1); qop=auth when offered. */
export function digestResponse(
  challenge: AuthChallenge,
  credentials: RtspCredentials,
  input: DigestInput,
): string {
  const algorithm = challenge.algorithm ?? 'MD5';
  const ha1 = hash(algorithm, `${credentials.username}:${challenge.realm}:${credentials.password}`);
  const ha2 = hash(algorithm, `${input.method}:${input.uri}`);
  if (challenge.qop?.includes('auth')) {
    const nc = input.nc.toString(16).padStart(8, '0');
    return hash(algorithm, `${ha1}:${challenge.nonce}:${nc}:${input.cnonce}:auth:${ha2}`);
  }
  return hash(algorithm, `${ha1}:${challenge.nonce}:${ha2}`);
}

function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

/** The Authorization header value answering `challenge` for one request. */
export function authorization(
  challenge: AuthChallenge,
  credentials: RtspCredentials,
  input: Omit<DigestInput, 'cnonce'> & { cnonce?: string },
): string {
  if (challenge.scheme === 'basic') {
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
  }
  const cnonce = input.cnonce ?? randomBytes(8).toString('hex');
  const response = digestResponse(challenge, credentials, { ...input, cnonce });
  const parts = [
    `username=${quoted(credentials.username)}`,
    `realm=${quoted(challenge.realm)}`,
    `nonce=${quoted(challenge.nonce ?? '')}`,
    `uri=${quoted(input.uri)}`,
    `response=${quoted(response)}`,
  ];
  if (challenge.algorithm !== undefined && challenge.algorithm !== 'MD5')
    parts.push(`algorithm=${challenge.algorithm}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quoted(challenge.opaque)}`);
  if (challenge.qop?.includes('auth')) {
    parts.push('qop=auth', `nc=${input.nc.toString(16).padStart(8, '0')}`, `cnonce=${quoted(cnonce)}`);
  }
  return `Digest ${parts.join(', ')}`;
}

export type AuthVerdict =
  | { retry: true }
  | { retry: false; reason: 'no credentials' | 'wrong credentials' | 'no usable challenge' };

/**
 * Answers requests once a server asked for credentials. A 401 to a request that already carried
 * credentials means they are wrong, unless the server only says the nonce went stale.
 */
export class RtspAuthenticator {
  private challenge: AuthChallenge | undefined;
  private nc = 0;

  constructor(private readonly credentials: RtspCredentials | undefined) {}

  /** After a 401: whether resending the request with (new) credentials can help. */
  onUnauthorized(wwwAuthenticate: readonly string[], requestHadCredentials: boolean): AuthVerdict {
    const chosen = chooseChallenge(parseChallenges(wwwAuthenticate));
    if (this.credentials === undefined) return { retry: false, reason: 'no credentials' };
    if (chosen === undefined) return { retry: false, reason: 'no usable challenge' };
    if (requestHadCredentials && chosen.stale !== true) return { retry: false, reason: 'wrong credentials' };
    this.challenge = chosen;
    this.nc = 0;
    return { retry: true };
  }

  /** The Authorization header for the next request, once a challenge came. */
  header(method: string, uri: string): string | undefined {
    if (this.challenge === undefined || this.credentials === undefined) return undefined;
    this.nc++;
    return authorization(this.challenge, this.credentials, { method, uri, nc: this.nc });
  }
}
