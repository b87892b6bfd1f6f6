import { isIPv6 } from 'node:net';
import type { SrtAddress } from './srt-messages.js';

const AF_INET = 2;
const AF_INET6 = 10;
/** sizeof(struct sockaddr_in6): large enough for either family. */
export const SOCKADDR_MAX = 28;

function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  return bytes;
}

/** Pure: a Linux sockaddr_in / sockaddr_in6 for libsrt (family little-endian, port big-endian). */
export function encodeSockaddr({ family, address, port }: SrtAddress): Buffer {
  if (family === 6 || isIPv6(address)) {
    const buf = Buffer.alloc(28);
    buf.writeUInt16LE(AF_INET6, 0);
    buf.writeUInt16BE(port, 2);
    buf.set(ipv6Bytes(address), 8);
    return buf;
  }
  const buf = Buffer.alloc(16);
  buf.writeUInt16LE(AF_INET, 0);
  buf.writeUInt16BE(port, 2);
  buf.set(address.split('.').map(Number), 4);
  return buf;
}

/** Pure: `address:port` ([v6]:port) from a sockaddr, '' for an unknown family. */
export function formatSockaddr(buf: Uint8Array): string {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.length < 16) return '';
  const family = view.readUInt16LE(0);
  const port = view.readUInt16BE(2);
  if (family === AF_INET) return `${[...view.subarray(4, 8)].join('.')}:${port}`;
  if (family === AF_INET6 && view.length >= 24) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(view.readUInt16BE(8 + 2 * i).toString(16));
    return `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}]:${port}`;
  }
  return '';
}

/** The port in a sockaddr. */
export function sockaddrPort(buf: Uint8Array): number {
  return ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
}
