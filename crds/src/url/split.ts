/**
 * A lexical RFC 3986 split, deliberately not WHATWG `URL`: that one lower-cases some hosts,
 * percent-encodes others and resolves `..` before we could see it, which would hide exactly the
 * things the grammar has to judge.
 */
export interface UrlParts {
  /** Lower-cased scheme. */
  scheme: string;
  /** True when the URL has an authority (`scheme://...`). */
  hasAuthority: boolean;
  userinfo?: string;
  /** Host as written, IPv6 brackets removed; '' when absent. */
  host: string;
  /** Port digits as written; undefined when the authority has no ':'. */
  port?: string;
  path: string;
  /** Query without the '?'; undefined when there is no '?'. */
  query?: string;
  fragment?: string;
}

const shape = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

/** Splits `raw` into its parts, or returns a sentence saying why it is not an absolute URL. */
export function splitUrl(raw: string): UrlParts | string {
  const match = shape.exec(raw);
  if (!match) return 'it has no scheme (write it as <scheme>://...)';
  const [, scheme = '', authority, path = '', query, fragment] = match;
  const parts: UrlParts = {
    scheme: scheme.toLowerCase(),
    hasAuthority: authority !== undefined,
    host: '',
    path,
  };
  if (query !== undefined) parts.query = query;
  if (fragment !== undefined) parts.fragment = fragment;
  if (authority === undefined) return parts;

  let hostPort = authority;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    parts.userinfo = authority.slice(0, at);
    hostPort = authority.slice(at + 1);
  }
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return 'its IPv6 host has no closing "]"';
    parts.host = hostPort.slice(1, close);
    const rest = hostPort.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return 'unexpected text after the IPv6 host';
    if (rest.startsWith(':')) parts.port = rest.slice(1);
    return parts;
  }
  const colon = hostPort.lastIndexOf(':');
  if (colon >= 0) {
    parts.host = hostPort.slice(0, colon);
    parts.port = hostPort.slice(colon + 1);
  } else {
    parts.host = hostPort;
  }
  return parts;
}

/** Port number 1..65535 from its digits, or undefined. */
export function parsePort(digits: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(digits)) return undefined;
  const port = Number(digits);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Query parameters; keys and values percent-decoded ('+' is a space, as in forms). */
export function queryParams(query: string | undefined): URLSearchParams {
  return new URLSearchParams(query ?? '');
}
