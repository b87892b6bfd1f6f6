import dgram from 'node:dgram';
import { once } from 'node:events';

/** An even RTP port and the RTCP port above it (RFC 3550 §11), bound on one address. */
export interface UdpPair {
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  rtpPort: number;
  close(): void;
}

const ATTEMPTS = 32;
const RECEIVE_BUFFER = 4 * 1024 * 1024;

async function bind(address: string, port: number): Promise<dgram.Socket | undefined> {
  const socket = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
  try {
    socket.bind(port, address);
    await Promise.race([
      once(socket, 'listening'),
      once(socket, 'error').then(([err]) => Promise.reject(err)),
    ]);
    return socket;
  } catch {
    socket.close();
    return undefined;
  }
}

/** Binds a socket pair on `address` (the wildcard or loopback address the server's family needs). */
export async function bindUdpPair(address: string): Promise<UdpPair> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const first = await bind(address, 0);
    if (first === undefined) break;
    const port = first.address().port;
    const rtpPort = port % 2 === 0 ? port : port - 1;
    const other = await bind(address, port % 2 === 0 ? port + 1 : port - 1);
    if (other === undefined) {
      first.close();
      continue;
    }
    const [rtp, rtcp] = port % 2 === 0 ? [first, other] : [other, first];
    for (const socket of [rtp, rtcp]) {
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER);
      } catch {
        // the kernel caps it at rmem_max; the default still works at low bitrates
      }
    }
    return {
      rtp,
      rtcp,
      rtpPort,
      close: () => {
        for (const socket of [rtp, rtcp]) {
          try {
            socket.close();
          } catch {
            // already closed
          }
        }
      },
    };
  }
  throw new Error(`cannot bind an even/odd UDP port pair on ${address}`);
}

/** Where to bind for a server: loopback for a loopback server, else the wildcard of its family. */
export function udpBindAddress(remoteAddress: string): string {
  const address = remoteAddress.replace(/^::ffff:/i, '');
  if (address.startsWith('127.')) return '127.0.0.1';
  if (address === '::1') return '::1';
  return address.includes(':') ? '::' : '0.0.0.0';
}
