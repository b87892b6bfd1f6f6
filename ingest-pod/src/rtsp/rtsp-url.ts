import { REDACTED, redactUrl } from '@tributary/crds';
import { ReaderError } from '../reader/packet-reader.js';

export const DEFAULT_RTSP_PORT = 554;
export const DEFAULT_RTSPS_PORT = 322;

export type RtspTransportChoice = 'tcp' | 'udp' | 'auto';

export interface RtspCredentials {
  username: string;
  password: string;
}

/** What a session needs from `rtsp[s]://[user:password@]host[:port]/path[?query]`. */
export interface RtspUrl {
  secure: boolean;
  /** Without IPv6 brackets, ready for net.connect. */
  host: string;
  port: number;
  /** The URL sent to the server: no userinfo, no transport or credential parameters. */
  requestUrl: string;
  transport: RtspTransportChoice;
  credentials?: RtspCredentials;
  /** The URL for logs, events and errors, with the password replaced by `***`. */
  shown: string;
}

const SHAPE = /^(rtsps?):\/\/(?:([^@/?#]*)@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/is;
/** Query parameters that carry credentials when they come from `params`/`paramsFrom`. */
const USER_PARAMS = new Set(['user', 'username']);
const PASSWORD_PARAMS = new Set(['password', 'pass']);

function invalid(url: string, why: string): ReaderError {
  return new ReaderError(`rtsp: cannot use ${redactUrl(url.trim())}: ${why}`, false);
}

function decode(url: string, text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid(url, `the ${what} has a bad percent-escape`);
  }
}

function splitHostPort(url: string, authority: string): { host: string; hostInUrl: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(authority);
  if (bracketed) {
    const host = bracketed[1] as string;
    return { host, hostInUrl: `[${host}]`, ...(bracketed[2] !== undefined && { port: bracketed[2] }) };
  }
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return { host: authority, hostInUrl: authority };
  if (authority.indexOf(':') !== colon)
    throw invalid(url, 'an IPv6 host needs brackets: rtsp://[::1]:554/path');
  const host = authority.slice(0, colon);
  return { host, hostInUrl: host, port: authority.slice(colon + 1) };
}

/**
 * Parses an RTSP pull URL. Credentials come from the userinfo or from `user`/`username` and
 * `password`/`pass` query parameters (where `params`/`paramsFrom` put them); those and
 * `transport=tcp|udp|auto` are removed from the URL the server sees. Throws a permanent
 * ReaderError naming the bad part.
 */
export function parseRtspUrl(url: string): RtspUrl {
  const m = SHAPE.exec(url.trim());
  if (!m) throw invalid(url, 'not an rtsp:// or rtsps:// url');
  const scheme = (m[1] as string).toLowerCase();
  const secure = scheme === 'rtsps';
  const hostPort = splitHostPort(url, m[3] as string);
  if (hostPort.host === '') throw invalid(url, 'the url has no host');
  let port = secure ? DEFAULT_RTSPS_PORT : DEFAULT_RTSP_PORT;
  if (hostPort.port !== undefined && hostPort.port !== '') {
    port = Number(hostPort.port);
    if (!/^\d+$/.test(hostPort.port) || port < 1 || port > 65535)
      throw invalid(url, 'the port is not 1-65535');
  }
  let username: string | undefined;
  let password: string | undefined;
  const userinfo = m[2];
  if (userinfo !== undefined && userinfo !== '') {
    const colon = userinfo.indexOf(':');
    username = decode(url, colon < 0 ? userinfo : userinfo.slice(0, colon), 'user name');
    password = colon < 0 ? '' : decode(url, userinfo.slice(colon + 1), 'password');
  }
  let transport: RtspTransportChoice = 'auto';
  const kept: string[] = [];
  for (const pair of (m[5] ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(url, eq < 0 ? pair : pair.slice(0, eq), 'query').toLowerCase();
    const value = eq < 0 ? '' : decode(url, pair.slice(eq + 1).replaceAll('+', ' '), `${name} parameter`);
    if (name === 'transport') {
      if (value !== 'tcp' && value !== 'udp' && value !== 'auto') {
        throw invalid(url, `transport=${value} is not tcp, udp or auto`);
      }
      transport = value;
    } else if (USER_PARAMS.has(name)) username = value;
    else if (PASSWORD_PARAMS.has(name)) password = value;
    else kept.push(pair);
  }
  if (password !== undefined && password !== '' && username === undefined) {
    throw invalid(url, 'a password was given without a user name; add user= or user:password@');
  }
  const path = m[4] === '' ? '/' : (m[4] as string);
  const authority = `${hostPort.hostInUrl}${hostPort.port ? `:${port}` : ''}`;
  const requestUrl = `${scheme}://${authority}${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
  const credentials = username !== undefined ? { username, password: password ?? '' } : undefined;
  const shownUser = username !== undefined ? `${encodeURIComponent(username)}:${REDACTED}@` : '';
  return {
    secure,
    host: hostPort.host,
    port,
    requestUrl,
    transport,
    ...(credentials && { credentials }),
    shown: redactUrl(
      `${scheme}://${shownUser}${authority}${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}`,
    ),
  };
}
