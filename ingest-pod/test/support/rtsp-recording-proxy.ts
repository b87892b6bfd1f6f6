// A TCP proxy in front of an RTSP server that records the client's request lines. With
// `blackholeUdp` it rewrites every SETUP's client_port to a UDP port nobody listens on: UDP SETUP
// and PLAY succeed, yet no RTP reaches the client (a firewall dropping UDP, as the
// transport=auto fallback has to handle).
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { freeUdpPort } from './peers.js';

export interface RecordingProxy {
  port: number;
  /** Request lines the client sent, e.g. `SETUP rtsp://… RTSP/1.0`. */
  requests: string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(
  upstreamPort: number,
  options: { blackholeUdp?: boolean } = {},
): Promise<RecordingProxy> {
  const dead = await freeUdpPort();
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      for (const line of text.split('\r\n')) if (/^[A-Z_]+ \S+ RTSP\/1\.0$/.test(line)) requests.push(line);
      if (options.blackholeUdp !== true) upstream.write(chunk);
      else
        upstream.write(
          Buffer.from(text.replace(/client_port=\d+-\d+/g, `client_port=${dead}-${dead + 1}`), 'latin1'),
        );
    });
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
