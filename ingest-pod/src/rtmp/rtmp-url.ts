import { REDACTED, redactUrl } from '@tributary/crds';
import { ReaderError } from '../reader/packet-reader.js';

export const DEFAULT_RTMP_PORT = 1935;
export const DEFAULT_RTMPS_PORT = 443;

/** What a play session needs from `rtmp[s]://host[:port]/app[/more/app]/key[?query]`. */
export interface RtmpUrl {
  secure: boolean;
  /** Without IPv6 brackets, ready for net.connect. */
  host: string;
  port: number;
  /** Everything between the host and the last path segment, e.g. `live` or `live/instance`. */
  app: string;
  /** The name `play` sends: the last path segment plus the query, exactly as written. */
  streamName: string;
  /** `rtmp[s]://host[:port]/app`: the connect command's tcUrl, which never carries the key. */
  tcUrl: string;
  /** The URL for logs, events and errors: the key and the query are replaced by `***`. */
  shown: string;
  /** Spellings of the key a server might echo back in a status description (scrubbed from it). */
  secrets: readonly string[];
}

const SHAPE = /^(rtmps?):\/\/([^/?]*)([^?]*)(?:\?(.*))?$/is;

/** Only scheme and host are shown for a URL that does not parse: anything after may be the key. */
function invalid(url: string, why: string): ReaderError {
  const head = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?]*@)?([^/?]*)/i.exec(url.trim());
  const shown = head ? `${head[1]}${head[2]}/${REDACTED}` : REDACTED;
  return new ReaderError(`rtmp: cannot use ${shown}: ${why}`, false);
}

function splitAuthority(authority: string): { host: string; hostInUrl: string; port?: string } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(authority);
  if (bracketed) {
    const host = bracketed[1] as string;
    return bracketed[2] === undefined
      ? { host, hostInUrl: `[${host}]` }
      : { host, hostInUrl: `[${host}]`, port: bracketed[2] };
  }
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return { host: authority, hostInUrl: authority };
  if (authority.indexOf(':') !== colon) return undefined; // a bare IPv6 address needs brackets
  const host = authority.slice(0, colon);
  return { host, hostInUrl: host, port: authority.slice(colon + 1) };
}

/**
 * Splits an RTMP URL the way librtmp does for the usual shapes: the stream key is the last path
 * segment, the app everything before it (`/live/instance/key` → app `live/instance`). ffmpeg
 * differs only with four or more segments (it keeps two in the app and the rest in the key); OBS
 * takes the key as a separate field. Throws a permanent ReaderError for URLs it cannot use.
 */
export function parseRtmpUrl(url: string): RtmpUrl {
  const m = SHAPE.exec(url.trim());
  if (!m) throw invalid(url, 'not an rtmp:// or rtmps:// url');
  const scheme = (m[1] as string).toLowerCase();
  const authority = m[2] as string;
  if (authority.includes('@')) {
    throw invalid(
      url,
      'RTMP has no user:password in the url (ffmpeg uses it for vendor-specific auth only); put credentials in the stream key or its query',
    );
  }
  const hostPort = splitAuthority(authority);
  if (hostPort === undefined || hostPort.host === '') throw invalid(url, 'the url has no host');
  const secure = scheme === 'rtmps';
  let port = secure ? DEFAULT_RTMPS_PORT : DEFAULT_RTMP_PORT;
  if (hostPort.port !== undefined && hostPort.port !== '') {
    port = Number(hostPort.port);
    if (!/^\d+$/.test(hostPort.port) || port < 1 || port > 65535)
      throw invalid(url, 'the port is not 1-65535');
  }
  const segments = (m[3] as string).split('/').filter((s) => s !== '');
  const key = segments.pop();
  if (key === undefined || segments.length === 0) {
    throw invalid(url, 'the path needs an app and a stream key: rtmp://<host>[:<port>]/<app>/<key>');
  }
  const app = segments.join('/');
  const query = m[4];
  const streamName = query !== undefined ? `${key}?${query}` : key;
  const base = `${scheme}://${hostPort.hostInUrl}${hostPort.port ? `:${port}` : ''}/${app}`;
  const secrets = new Set([streamName, key]);
  try {
    secrets.add(decodeURIComponent(key));
  } catch {
    // not percent-encoded: the raw spelling is already there
  }
  return {
    secure,
    host: hostPort.host,
    port,
    app,
    streamName,
    tcUrl: base,
    shown: redactUrl(`${base}/${REDACTED}`),
    secrets: [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length),
  };
}

/** `text` with every spelling of the stream key replaced by `***` (server descriptions echo it). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}
