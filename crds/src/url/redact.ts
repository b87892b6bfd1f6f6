import { splitUrl } from './split.js';
import { redactStreamId } from './streamid-secrets.js';

const SECRET_WORDS = new Set([
  'passphrase',
  'key',
  'token',
  'auth',
  'authorization',
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'sig',
  'signature',
  'credential',
  'credentials',
]);
const SECRET_NAMES = new Set(['apikey', 'accesstoken', 'streamkey', 'sessionid']);
export const REDACTED = '***';

/** True for query keys that usually carry secrets (`passphrase`, `access_token`, `X-Amz-Signature`...). */
export function isSecretParam(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_NAMES.has(lower)) return true;
  return lower.split(/[-_.]/).some((word) => SECRET_WORDS.has(word));
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/** A streamid with its credentials masked; kept as written when it holds none. */
function redactStreamIdValue(raw: string): string {
  const value = decoded(raw);
  const masked = redactStreamId(value, REDACTED);
  return masked === value ? raw : masked.replace(/[%&+\s]/g, (c) => encodeURIComponent(c));
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = decoded(pair.slice(0, eq));
      if (isSecretParam(name)) return `${pair.slice(0, eq)}=${REDACTED}`;
      if (name.toLowerCase() === 'streamid')
        return `${pair.slice(0, eq)}=${redactStreamIdValue(pair.slice(eq + 1))}`;
      return pair;
    })
    .join('&');
}

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);

/** An RTMP pull URL's last path segment is the stream key, which is a credential in practice. */
function redactPath(scheme: string, host: string, path: string): string {
  if ((scheme !== 'rtmp' && scheme !== 'rtmps') || WILDCARD_HOSTS.has(host)) return path;
  const trailing = path.endsWith('/') ? '/' : '';
  const body = path.slice(0, path.length - trailing.length);
  const slash = body.lastIndexOf('/');
  return slash >= 0 && slash < body.length - 1 ? `${body.slice(0, slash + 1)}${REDACTED}${trailing}` : path;
}

/**
 * The URL made safe for status, events and logs: a userinfo password (the whole userinfo when it
 * has no colon), the stream key of an RTMP pull URL, the values of secret-looking query
 * parameters and the credentials inside an SRT streamid are replaced by `***`; everything else is
 * kept as written.
 */
export function redactUrl(url: string): string {
  const parts = splitUrl(url);
  if (typeof parts === 'string') {
    const q = url.indexOf('?');
    return q < 0 ? url : url.slice(0, q + 1) + redactQuery(url.slice(q + 1));
  }
  let out = url.slice(0, url.indexOf(':') + 1);
  if (parts.hasAuthority) {
    out += '//';
    if (parts.userinfo !== undefined) {
      const colon = parts.userinfo.indexOf(':');
      // Without a colon it is usually a token (`https://TOKEN@host/`); udp's is the interface.
      const bare = parts.scheme === 'udp' ? parts.userinfo : REDACTED;
      out += colon < 0 ? `${bare}@` : `${parts.userinfo.slice(0, colon)}:${REDACTED}@`;
    }
    out += parts.host.includes(':') ? `[${parts.host}]` : parts.host;
    if (parts.port !== undefined) out += `:${parts.port}`;
  }
  out += parts.hasAuthority ? redactPath(parts.scheme, parts.host, parts.path) : parts.path;
  // SRT streamids may start with '#'; treat everything after '?' as query there.
  const fragmentInQuery = parts.scheme === 'srt' && parts.query !== undefined && parts.fragment !== undefined;
  const query = fragmentInQuery ? `${parts.query}#${parts.fragment}` : parts.query;
  if (query !== undefined) out += `?${redactQuery(query)}`;
  if (parts.fragment !== undefined && !fragmentInQuery) out += `#${parts.fragment}`;
  return out;
}
