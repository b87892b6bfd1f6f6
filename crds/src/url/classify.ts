import { hasSpaceOrControl, isResourceName } from '../names.js';
import { RULES, type RuleId } from '../rules.js';
import { parsePort, queryParams, splitUrl, type UrlParts } from './split.js';
import { parseSrtStreamId } from './srt-streamid.js';

export type InputKind = 'udp' | 'hls' | 'http-ts' | 'file' | 'srt' | 'rtmp' | 'rtsp' | 'copy' | 'publish';
export type InputMode = 'pull' | 'push';

const TS_TRANSPORTS: ReadonlySet<InputKind> = new Set(['udp', 'hls', 'http-ts', 'file', 'srt']);

/** Kinds whose bytes are MPEG-TS, so `program` and `pids` apply to them. */
export function isTsTransport(kind: InputKind): boolean {
  return TS_TRANSPORTS.has(kind);
}

interface Base {
  ok: true;
  /** Lower-cased scheme as written (http and https both give hls or http-ts). */
  scheme: string;
}
export interface UdpInput extends Base {
  kind: 'udp';
  mode: 'pull';
  /** Group or local address to bind; '' means every interface. */
  host: string;
  port: number;
  /** SSM source address (`?source=`). */
  source?: string;
  /** Interface to join on (`?iface=`, or FFmpeg's `iface@host:port`). */
  iface?: string;
}
export interface HttpInput extends Base {
  kind: 'hls' | 'http-ts';
  mode: 'pull';
}
export interface FileInput extends Base {
  kind: 'file';
  mode: 'pull';
  /** VodMount name. */
  mount: string;
  /** Path inside the mount: decoded, normalised, no leading '/'. */
  path: string;
  /** Loop at the end (default); `?loop=false|0|no|off` stops instead. */
  loop: boolean;
}
export interface SrtPullInput extends Base {
  kind: 'srt';
  mode: 'pull';
  host: string;
  port: number;
  streamId?: string;
}
export interface RtmpPullInput extends Base {
  kind: 'rtmp';
  mode: 'pull';
  host: string;
  port?: number;
  app: string;
  key: string;
}
export interface RtspPullInput extends Base {
  kind: 'rtsp';
  mode: 'pull';
  host: string;
  port?: number;
  transport: 'tcp' | 'udp' | 'auto';
}
export interface CopyInput extends Base {
  kind: 'copy';
  mode: 'pull';
  /** Name of the Stream (same namespace) whose packets are re-used. */
  upstream: string;
}
export interface PushInput extends Base {
  kind: 'publish' | 'rtmp' | 'srt';
  mode: 'push';
  /** True for rtmp/srt URLs with a wildcard host (the older form) rather than publish://. */
  legacy: boolean;
  /**
   * Key the legacy URL names: the last path segment for rtmp, the streamid resource for srt.
   * Undefined for publish:// and when the URL names none; the caller then uses `<namespace>/<name>`.
   */
  routeKey?: string;
}

export type Classified =
  | UdpInput
  | HttpInput
  | FileInput
  | SrtPullInput
  | RtmpPullInput
  | RtspPullInput
  | CopyInput
  | PushInput;

export interface UrlError {
  ok: false;
  rule: RuleId;
  /** What is wrong and what to write instead; never contains the URL itself (it may hold secrets). */
  message: string;
}

function fail(rule: RuleId, detail?: string): UrlError {
  const message = RULES[rule].message;
  return { ok: false, rule, message: detail ? `${detail}: ${message}` : message };
}

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);
const LOOP_OFF = new Set(['false', '0', 'no', 'off']);
const IPV4 =
  /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;

/** Protocol, mode and parts of an input URL. Never throws. */
export function classify(url: string): Classified | UrlError {
  if (url === '') return fail('url-required');
  if (hasSpaceOrControl(url)) return fail('url-syntax');
  if (url.startsWith('/')) return fail('file-shape', 'a bare path is not an input');
  const parts = splitUrl(url);
  if (typeof parts === 'string') return fail('url-syntax', parts);
  switch (parts.scheme) {
    case 'udp':
      return udp(parts);
    case 'http':
    case 'https':
      return http(parts);
    case 'file':
      return file(parts);
    case 'srt':
      return srt(parts);
    case 'rtmp':
    case 'rtmps':
      return rtmp(parts);
    case 'rtsp':
    case 'rtsps':
      return rtsp(parts);
    case 'copy':
      return copy(parts);
    case 'publish':
      return publish(parts);
    case 'mixer':
      return fail('mixer-unsupported');
    default:
      return fail('url-scheme', `the scheme "${parts.scheme}" is not supported`);
  }
}

/** Port of a URL that may omit it; a UrlError when present but not 1..65535. */
function optionalPort(parts: UrlParts, rule: RuleId): number | undefined | UrlError {
  if (parts.port === undefined) return undefined;
  return parsePort(parts.port) ?? fail(rule, `the port "${parts.port}" is not a number from 1 to 65535`);
}

function udp(parts: UrlParts): UdpInput | UrlError {
  if (!parts.hasAuthority) return fail('udp-shape', 'the url has no host and port');
  if (parts.port === undefined) return fail('udp-shape', 'the url has no port');
  const port = parsePort(parts.port);
  if (port === undefined)
    return fail('udp-shape', `the port "${parts.port}" is not a number from 1 to 65535`);
  if (parts.path !== '' && parts.path !== '/') return fail('udp-shape', 'udp urls have no path');
  const query = queryParams(parts.query);
  const result: UdpInput = { ok: true, kind: 'udp', mode: 'pull', scheme: 'udp', host: parts.host, port };
  const iface = query.get('iface') || parts.userinfo;
  if (iface) result.iface = iface;
  const source = query.get('source');
  if (source !== null) {
    if (!IPV4.test(source)) return fail('udp-shape', `source "${source}" is not an IPv4 address`);
    if (!isIpv4Multicast(parts.host))
      return fail('udp-shape', 'source= (source-specific multicast) needs a multicast group as host');
    result.source = source;
  }
  return result;
}

function isIpv4Multicast(host: string): boolean {
  if (!IPV4.test(host)) return false;
  const first = Number(host.split('.')[0]);
  return first >= 224 && first <= 239;
}

function http(parts: UrlParts): HttpInput | UrlError {
  if (!parts.hasAuthority || parts.host === '') return fail('http-shape', 'the url has no host');
  const port = optionalPort(parts, 'http-shape');
  if (typeof port === 'object') return port;
  const path = parts.path.toLowerCase();
  const base = { ok: true, mode: 'pull', scheme: parts.scheme } as const;
  if (path.endsWith('.m3u8') || path.endsWith('.m3u')) return { ...base, kind: 'hls' };
  if (path.endsWith('.ts') || path.endsWith('/mpegts')) return { ...base, kind: 'http-ts' };
  return fail('http-shape', 'the path is neither a playlist nor a TS stream');
}

function file(parts: UrlParts): FileInput | UrlError {
  if (!parts.hasAuthority || parts.host === '') return fail('file-shape', 'the url names no mount');
  if (parts.userinfo !== undefined || parts.port !== undefined) {
    return fail('file-shape', 'the mount is followed by a user or port');
  }
  if (!isResourceName(parts.host)) return fail('file-shape', `"${parts.host}" is not a VodMount name`);
  const segments: string[] = [];
  for (const raw of parts.path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return fail('url-syntax', 'the path has a broken %-escape');
    }
    if (segment.includes('/') || segment.includes('\0'))
      return fail('file-shape', 'a path segment encodes "/" or NUL');
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return fail('file-escape');
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  if (segments.length === 0) return fail('file-shape', 'the url names no file inside the mount');
  const loop = queryParams(parts.query).get('loop');
  return {
    ok: true,
    kind: 'file',
    mode: 'pull',
    scheme: 'file',
    mount: parts.host,
    path: segments.join('/'),
    loop: loop === null || !LOOP_OFF.has(loop.toLowerCase()),
  };
}

function srt(parts: UrlParts): SrtPullInput | PushInput | UrlError {
  if (!parts.hasAuthority) return fail('srt-shape', 'the url has no host and port');
  // An SRT streamid often starts with '#', which is part of the query here, not a fragment.
  const query =
    parts.query !== undefined && parts.fragment !== undefined
      ? `${parts.query}#${parts.fragment}`
      : parts.query;
  const params = queryParams(query);
  const streamId = params.get('streamid') ?? undefined;
  if (WILDCARD_HOSTS.has(parts.host)) {
    const push: PushInput = { ok: true, kind: 'srt', mode: 'push', scheme: 'srt', legacy: true };
    const resource = streamId === undefined ? '' : parseSrtStreamId(streamId).resource;
    if (resource) push.routeKey = resource;
    return push;
  }
  if (parts.port === undefined) return fail('srt-shape', 'the url has no port');
  const port = parsePort(parts.port);
  if (port === undefined)
    return fail('srt-shape', `the port "${parts.port}" is not a number from 1 to 65535`);
  const mode = params.get('mode')?.toLowerCase();
  if (mode !== undefined && mode !== 'caller' && mode !== 'client') {
    return fail('srt-shape', `mode=${mode} is not supported`);
  }
  const result: SrtPullInput = { ok: true, kind: 'srt', mode: 'pull', scheme: 'srt', host: parts.host, port };
  if (streamId !== undefined) result.streamId = streamId;
  return result;
}

function rtmp(parts: UrlParts): RtmpPullInput | PushInput | UrlError {
  if (!parts.hasAuthority) return fail('rtmp-shape', 'the url has no host');
  const segments = parts.path.split('/').filter((s) => s !== '');
  if (WILDCARD_HOSTS.has(parts.host)) {
    const push: PushInput = { ok: true, kind: 'rtmp', mode: 'push', scheme: parts.scheme, legacy: true };
    const last = segments.at(-1);
    if (last) push.routeKey = last;
    return push;
  }
  const port = optionalPort(parts, 'rtmp-shape');
  if (typeof port === 'object') return port;
  const key = segments.at(-1);
  if (segments.length < 2 || key === undefined)
    return fail('rtmp-shape', 'the path needs an app and a stream key');
  const result: RtmpPullInput = {
    ok: true,
    kind: 'rtmp',
    mode: 'pull',
    scheme: parts.scheme,
    host: parts.host,
    app: segments.slice(0, -1).join('/'),
    key,
  };
  if (port !== undefined) result.port = port;
  return result;
}

function rtsp(parts: UrlParts): RtspPullInput | UrlError {
  if (!parts.hasAuthority || parts.host === '') return fail('rtsp-shape', 'the url has no host');
  const port = optionalPort(parts, 'rtsp-shape');
  if (typeof port === 'object') return port;
  const transport = (queryParams(parts.query).get('transport') ?? 'auto').toLowerCase();
  if (transport !== 'tcp' && transport !== 'udp' && transport !== 'auto') {
    return fail('rtsp-shape', `transport=${transport} is not supported`);
  }
  const result: RtspPullInput = {
    ok: true,
    kind: 'rtsp',
    mode: 'pull',
    scheme: parts.scheme,
    host: parts.host,
    transport,
  };
  if (port !== undefined) result.port = port;
  return result;
}

function copy(parts: UrlParts): CopyInput | UrlError {
  const problem =
    (!parts.hasAuthority || parts.host === '' ? 'the url names no stream' : undefined) ??
    (parts.userinfo !== undefined ? 'the url has a user' : undefined) ??
    (parts.port !== undefined ? 'the url has a port' : undefined) ??
    (parts.path !== '' && parts.path !== '/' ? 'the url has a path' : undefined) ??
    (parts.query !== undefined ? 'the url has a query' : undefined) ??
    (parts.fragment !== undefined ? 'the url has a fragment' : undefined) ??
    (!isResourceName(parts.host) ? `"${parts.host}" is not a Stream name` : undefined);
  if (problem) return fail('copy-shape', problem);
  return { ok: true, kind: 'copy', mode: 'pull', scheme: 'copy', upstream: parts.host };
}

function publish(parts: UrlParts): PushInput | UrlError {
  const bare =
    parts.hasAuthority &&
    parts.host === '' &&
    parts.userinfo === undefined &&
    parts.port === undefined &&
    parts.path === '' &&
    parts.query === undefined &&
    parts.fragment === undefined;
  if (!bare) return fail('publish-shape', 'publish:// is followed by more text');
  return { ok: true, kind: 'publish', mode: 'push', scheme: 'publish', legacy: false };
}
