import { isIP, isIPv4 } from 'node:net';
import { UDP_CHAN_BUF, UDP_QUEUE_MAX_BYTES } from '../limits.js';
import { ReaderError } from '../reader/packet-reader.js';

/** Everything a `udp://` URL says about the socket to open. */
export interface UdpOptions {
  family: 4 | 6;
  /** Address the socket binds: the group for multicast (so only that group arrives), else the host. */
  bindAddress: string;
  port: number;
  multicast: boolean;
  /** Interface for the multicast join: an address of the right family or an interface name. */
  iface?: string;
  /** Source-specific multicast: only this sender is received. */
  source?: string;
  /** Strip an RTP header in front of TS payloads (on unless `rtp=0|false`). */
  rtp: boolean;
  /** SO_RCVBUF request; the kernel caps it at net.core.rmem_max. */
  receiveBufferBytes: number;
  /** Datagrams held between the socket and `read()`; more are dropped and counted. */
  queueDatagrams: number;
  /** Bytes held between the socket and `read()`, whatever the datagram count. */
  queueBytes: number;
}

export const UDP_DEFAULTS = {
  receiveBufferBytes: 16 * 1024 * 1024,
  queueDatagrams: 4096,
  queueBytes: UDP_QUEUE_MAX_BYTES,
} as const;

function invalid(url: string, rule: string): ReaderError {
  return new ReaderError(`invalid udp:// URL ${url}: ${rule}`, false);
}

function positiveInt(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

/** `?chan_buf=`: absent means the default; anything but a whole number in range is an error. */
function chanBuf(raw: string, value: string | null): number {
  if (value === null) return UDP_DEFAULTS.queueDatagrams;
  const n = /^\d{1,9}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(n >= UDP_CHAN_BUF.min && n <= UDP_CHAN_BUF.max)) {
    throw invalid(
      raw,
      `chan_buf must be a whole number of datagrams between ${UDP_CHAN_BUF.min} and ${UDP_CHAN_BUF.max}, got '${value.slice(0, 20)}'`,
    );
  }
  return n;
}

export function isMulticastAddress(address: string): boolean {
  if (isIPv4(address)) {
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return isIP(address) === 6 && /^ff/i.test(address);
}

/**
 * Pure: parses `udp://[iface@]host:port?iface=&source=&rtp=&buffer_size=&chan_buf=`.
 * Unparseable buffer sizes fall back to defaults (seed behaviour); the address, port, iface,
 * source and chan_buf must make sense or the URL is rejected with the rule that failed.
 */
export function parseUdpUrl(raw: string): UdpOptions {
  // `udp://:5000` and `udp://@:5000` (ffmpeg's spelling) mean every local address.
  const normalised = raw.replace(/^udp:\/\/@?:/i, 'udp://0.0.0.0:');
  let url: URL;
  try {
    url = new URL(normalised);
  } catch {
    throw invalid(raw, 'not a parseable URL');
  }
  if (url.protocol !== 'udp:') throw invalid(raw, 'scheme must be udp');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  if (family === 0) throw invalid(raw, `host '${url.hostname}' must be an IP address to listen on`);
  const port = Number(url.port);
  if (!url.port || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(raw, 'a port between 1 and 65535 is required');
  }
  const q = url.searchParams;
  const iface = q.get('iface') || decodeURIComponent(url.username) || undefined;
  const source = q.get('source') || undefined;
  const multicast = isMulticastAddress(host);
  if (source !== undefined) {
    if (!multicast) throw invalid(raw, 'source= (SSM) needs a multicast group as host');
    if (isIP(source) !== family) throw invalid(raw, `source '${source}' must be an IPv${family} address`);
  }
  if (iface !== undefined && !multicast) throw invalid(raw, 'iface= only applies to a multicast group');
  if (iface !== undefined && isIP(iface) === 0 && !/^[\w.:-]{1,15}$/.test(iface)) {
    throw invalid(raw, `iface '${iface}' is neither an address nor an interface name`);
  }
  const rtpFlag = (q.get('rtp') ?? '').toLowerCase();
  const bufferParam = q.get('fifo_size') ?? q.get('buffer_size') ?? q.get('recv_buffer_size');
  return {
    family: family as 4 | 6,
    bindAddress: host,
    port,
    multicast,
    ...(iface !== undefined ? { iface } : {}),
    ...(source !== undefined ? { source } : {}),
    rtp: rtpFlag !== '0' && rtpFlag !== 'false',
    receiveBufferBytes: positiveInt(bufferParam) ?? UDP_DEFAULTS.receiveBufferBytes,
    queueDatagrams: chanBuf(raw, q.get('chan_buf')),
    queueBytes: UDP_DEFAULTS.queueBytes,
  };
}
