import { isIP } from 'node:net';
import { ReaderError } from '../reader/packet-reader.js';

/**
 * SRT socket options a URL can set. Every duration is in MILLISECONDS, as in
 * srt-live-transmit; ffmpeg's `latency`/`rcvlatency`/`peerlatency` are in MICROSECONDS, so a URL
 * copied from an ffmpeg command line needs its latencies divided by 1000.
 */
export interface SrtSocketOptions {
  streamId?: string;
  /** 10..79 characters; empty = no encryption. */
  passphrase?: string;
  /** AES key length in bytes: 16, 24 or 32 (0 = libsrt's default, 16). */
  pbKeyLen?: number;
  /** Sets both receiver and peer latency (SRTO_LATENCY). libsrt's default is 120 ms. */
  latencyMs?: number;
  rcvLatencyMs?: number;
  peerLatencyMs?: number;
  /** How long a caller waits for the handshake (libsrt's default is 3000 ms). */
  connectTimeoutMs?: number;
  /** Largest payload per SRT packet; 1316 (7 TS packets) by default in live mode. */
  payloadSize?: number;
}

/** Where an `srt://` caller URL points and how to set up its socket. */
export interface SrtCallerConfig {
  /** Host as written (name or IP literal, IPv6 without brackets). */
  host: string;
  port: number;
  options: SrtSocketOptions;
}

type NumericKey =
  | 'pbKeyLen'
  | 'latencyMs'
  | 'rcvLatencyMs'
  | 'peerLatencyMs'
  | 'connectTimeoutMs'
  | 'payloadSize';

/** Query keys with a number value: what they set and the range libsrt accepts. */
const NUMERIC_KEYS: Record<string, { option: NumericKey; min: number; max: number }> = {
  pbkeylen: { option: 'pbKeyLen', min: 0, max: 32 },
  latency: { option: 'latencyMs', min: 0, max: 60_000 },
  rcvlatency: { option: 'rcvLatencyMs', min: 0, max: 60_000 },
  peerlatency: { option: 'peerLatencyMs', min: 0, max: 60_000 },
  conntimeo: { option: 'connectTimeoutMs', min: 1, max: 600_000 },
  payload_size: { option: 'payloadSize', min: 188, max: 1456 },
  payloadsize: { option: 'payloadSize', min: 188, max: 1456 },
};

const MAX_STREAM_ID_BYTES = 512;

function invalid(shown: string, rule: string): ReaderError {
  return new ReaderError(`invalid srt:// URL ${shown}: ${rule}`, false);
}

/** Query pairs in order; form-style decoding ('+' is a space: write a literal '+' as %2B). */
function queryPairs(query: string, shown: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const decode = (text: string) => decodeURIComponent(text.replaceAll('+', ' '));
    let key: string;
    try {
      key = decode(rawKey).toLowerCase();
    } catch {
      throw invalid(shown, `the query key "${rawKey}" is not valid percent-encoding`);
    }
    try {
      pairs.push([key, decode(rawValue)]);
    } catch {
      throw invalid(shown, `the value of ${key} is not valid percent-encoding`);
    }
  }
  return pairs;
}

function numberFor(key: string, value: string, shown: string): number {
  const rule = NUMERIC_KEYS[key];
  if (rule === undefined) throw new Error(`not a numeric key: ${key}`);
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < rule.min || n > rule.max) {
    throw invalid(shown, `${key}=${value} must be a whole number from ${rule.min} to ${rule.max}`);
  }
  if (key === 'pbkeylen' && ![0, 16, 24, 32].includes(n)) {
    throw invalid(shown, `pbkeylen=${value} must be 16, 24 or 32 (bytes)`);
  }
  return n;
}

function splitAuthority(rest: string, shown: string): { host: string; port: string } {
  if (rest.includes('@')) throw invalid(shown, 'user info is not supported (use passphrase=)');
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw invalid(shown, 'write an IPv6 host as [addr]:port');
    return { host: rest.slice(1, close), port: rest.slice(close + 2) };
  }
  const colon = rest.lastIndexOf(':');
  if (colon < 0) throw invalid(shown, 'a port is required (srt://host:port)');
  return { host: rest.slice(0, colon), port: rest.slice(colon + 1) };
}

/**
 * Pure: parses `srt://host:port?streamid=…&passphrase=…&pbkeylen=…&latency=…&rcvlatency=…&
 * peerlatency=…&conntimeo=…&payload_size=…&transtype=live&mode=caller`. Everything after the first
 * '?' is query, '#' included (stream ids such as `#!::r=live/cam` are written as is). `params`
 * (an input's params) override the query. Unknown keys are ignored; a known key with a bad value
 * is a permanent ReaderError naming the key. Errors show only `srt://host:port`: the query may
 * carry the passphrase.
 */
export function parseSrtUrl(raw: string, params: Readonly<Record<string, string>> = {}): SrtCallerConfig {
  const match = /^srt:\/\/([^/?]*)\/?(?:\?(.*))?$/is.exec(raw.trim());
  const authority = match?.[1] ?? '';
  const shown = `srt://${authority}`;
  if (!match) throw invalid(raw.split('?')[0] ?? '', 'write it as srt://host:port?options');
  const { host, port: portText } = splitAuthority(authority, shown);
  if (host === '') throw invalid(shown, 'a host is required');
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) throw invalid(shown, `port "${portText}" must be from 1 to 65535`);
  if (host.includes(':') && isIP(host) !== 6) throw invalid(shown, `"${host}" is not an IPv6 address`);

  const values = new Map(queryPairs(match[2] ?? '', shown));
  for (const [key, value] of Object.entries(params)) values.set(key.toLowerCase(), value);
  const options: SrtSocketOptions = {};
  for (const [key, value] of values) {
    if (key in NUMERIC_KEYS) {
      const rule = NUMERIC_KEYS[key];
      if (rule !== undefined) options[rule.option] = numberFor(key, value, shown);
    } else if (key === 'streamid') {
      if (Buffer.byteLength(value) > MAX_STREAM_ID_BYTES) {
        throw invalid(shown, `streamid is longer than ${MAX_STREAM_ID_BYTES} bytes`);
      }
      options.streamId = value;
    } else if (key === 'passphrase') {
      if (value !== '' && (value.length < 10 || value.length > 79)) {
        throw invalid(shown, 'passphrase must be 10 to 79 characters long');
      }
      if (value !== '') options.passphrase = value;
    } else if (key === 'transtype' && value.toLowerCase() !== 'live') {
      throw invalid(shown, `transtype=${value} is not supported (only live)`);
    } else if (key === 'mode' && !['caller', 'client'].includes(value.toLowerCase())) {
      throw invalid(shown, `mode=${value} is not supported: a pulled srt:// input is a caller`);
    }
  }
  if (options.pbKeyLen && options.passphrase === undefined) {
    throw invalid(shown, 'pbkeylen needs a passphrase');
  }
  return { host, port, options };
}
