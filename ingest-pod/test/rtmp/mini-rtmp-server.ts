// A tiny scripted RTMP server on 127.0.0.1 for socket-level client tests: it does the simple
// handshake, answers connect and createStream, and hands `play` to the test.
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { ChunkReader } from '../../src/rtmp/chunk-reader.js';
import { decodeCommand } from '../../src/rtmp/commands.js';
import { HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { concatBytes, filled } from './chunk-bytes.js';
import { serverCommand } from './scripted-server.js';

export interface PlayRequest {
  streamName: string;
  app: string;
  socket: net.Socket;
  send(bytes: Uint8Array): void;
}

export interface MiniRtmpServer {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startMiniRtmpServer(
  onPlay: (play: PlayRequest) => void,
  onConnect?: (app: string) => Uint8Array | undefined,
): Promise<MiniRtmpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    api.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let handshake = 0;
    let app = '';
    const send = (bytes: Uint8Array) => {
      if (!socket.destroyed) socket.write(bytes);
    };
    const reader = new ChunkReader((m) => {
      if (m.typeId !== 20) return;
      const cmd = decodeCommand(m);
      if (cmd.name === 'connect') {
        app = String((cmd.commandObject as { app?: string }).app);
        send(
          onConnect?.(app) ??
            serverCommand(['_result', cmd.transactionId, null, { code: 'NetConnection.Connect.Success' }]),
        );
      } else if (cmd.name === 'createStream') send(serverCommand(['_result', cmd.transactionId, null, 1]));
      else if (cmd.name === 'play') onPlay({ streamName: String(cmd.args[0]), app, socket, send });
    });
    socket.on('data', (data: Buffer) => {
      let rest: Uint8Array = data;
      if (handshake < 1 + 2 * HANDSHAKE_SIZE) {
        const take = Math.min(rest.length, 1 + 2 * HANDSHAKE_SIZE - handshake);
        if (handshake === 0)
          send(concatBytes(Uint8Array.of(3), filled(HANDSHAKE_SIZE), filled(HANDSHAKE_SIZE, 3)));
        handshake += take;
        rest = rest.subarray(take);
      }
      if (rest.length > 0) reader.push(rest);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const api: MiniRtmpServer = {
    port: (server.address() as AddressInfo).port,
    connections: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return api;
}
