import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { ByteSource } from '../reader/byte-source.js';
import { ReaderError } from '../reader/packet-reader.js';
import { DatagramQueue } from './datagram-queue.js';
import { type InterfaceTable, resolveMulticastInterface } from './multicast-interface.js';
import { extractTsPayload } from './rtp.js';
import type { UdpOptions } from './udp-options.js';

function codeOf(err: unknown): string {
  return (err as { code?: string }).code ?? '';
}

/**
 * A listening UDP socket (unicast, ASM or SSM multicast, IPv4 or IPv6) as a ByteSource. Node hands
 * over whole datagrams, so nothing is truncated whatever the size (RTP-wrapped 1328-byte ones
 * included). Each open builds a fresh socket; no SO_REUSEADDR, so two inputs on one port conflict.
 */
export class UdpSource implements ByteSource {
  private socket: dgram.Socket | undefined;
  private queue: DatagramQueue | undefined;
  private overflowedBefore = 0;
  nonTsDatagrams = 0;
  lastDropReason: string | undefined;

  constructor(
    private readonly options: UdpOptions,
    private readonly interfaces: () => InterfaceTable = networkInterfaces,
  ) {}

  get dropped(): number {
    return this.nonTsDatagrams + this.overflowedBefore + (this.queue?.overflowed ?? 0);
  }

  /** The address the socket is bound to (useful when port 0 was asked for in tests). */
  get boundPort(): number | undefined {
    return this.socket?.address().port;
  }

  async open(signal: AbortSignal): Promise<void> {
    await this.close();
    const o = this.options;
    const where = o.family === 6 ? `[${o.bindAddress}]:${o.port}` : `${o.bindAddress}:${o.port}`;
    const iface = resolveMulticastInterface(o.iface, o.family, this.interfaces());
    const socket = dgram.createSocket({ type: o.family === 6 ? 'udp6' : 'udp4', reuseAddr: false });
    const queue = new DatagramQueue(o.queueDatagrams, o.queueBytes);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        socket.close();
        const permanent = codeOf(err) === 'EACCES';
        reject(new ReaderError(`udp: cannot listen on ${where}: ${err.message}`, !permanent, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind({ port: o.port, address: o.bindAddress, exclusive: true }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(o.receiveBufferBytes);
    } catch {
      // The kernel keeps its default; loss shows up as CC errors, which are counted.
    }
    if (o.multicast) {
      try {
        if (o.source !== undefined) socket.addSourceSpecificMembership(o.source, o.bindAddress, iface);
        else socket.addMembership(o.bindAddress, iface);
      } catch (err) {
        socket.close();
        const what = o.source !== undefined ? `source ${o.source} of group` : 'group';
        const on = o.iface !== undefined ? ` on ${o.iface}` : '';
        throw new ReaderError(
          `udp: cannot join ${what} ${o.bindAddress}${on}: ${(err as Error).message}`,
          true,
          {
            cause: err,
          },
        );
      }
    }
    socket.on('message', (datagram) => {
      const result = extractTsPayload(datagram, o.rtp);
      if ('payload' in result) queue.push(result.payload);
      else {
        this.nonTsDatagrams++;
        this.lastDropReason = result.drop;
      }
    });
    socket.on('error', (err) => {
      queue.end(new ReaderError(`udp: socket error on ${where}: ${err.message}`, true, { cause: err }));
    });
    this.socket = socket;
    this.queue = queue;
    if (signal.aborted) await this.close();
  }

  read(): Promise<Uint8Array[] | null> {
    if (this.queue === undefined) return Promise.resolve(null);
    return this.queue.take();
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (this.queue !== undefined) {
      this.queue.end();
      this.overflowedBefore += this.queue.overflowed;
      this.queue = undefined;
    }
    if (socket === undefined) return;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
