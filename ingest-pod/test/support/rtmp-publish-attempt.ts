// A bare-bones RTMP publish client for listener tests, made of our own RTMP pieces: much cheaper
// than an ffmpeg process when hundreds of attempts are needed.
//
//   const r = await attemptRtmpPublish(port, 'ns', 'news?key=wrong'); // r.statuses, r.end
//   const socket = await openRtmpHandshake(port);  // handshake done; write chunks (fuzz)
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { encodeAmf0 } from '../../src/amf0/amf0.js';
import { ChunkReader } from '../../src/rtmp/chunk-reader.js';
import { CHUNK_STREAM, encodeChunks } from '../../src/rtmp/chunk-writer.js';
import { connectCommand, createStreamCommand, decodeCommand, statusInfo } from '../../src/rtmp/commands.js';
import { ClientHandshake, clientHello, HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { MESSAGE_TYPE } from '../../src/rtmp/protocol.js';

const CHUNK_SIZE = 128;

/** connect, createStream and publish (on message stream 1), sent back to back without waiting. */
export function publishCommandBytes(
  app: string,
  publishName: string,
  tcUrl = `rtmp://127.0.0.1/${app}`,
): Buffer {
  const publish = {
    chunkStreamId: CHUNK_STREAM.command,
    typeId: MESSAGE_TYPE.commandAmf0,
    streamId: 1,
    timestamp: 0,
    payload: encodeAmf0(['publish', 3, null, publishName, 'live']),
  };
  return Buffer.concat([
    encodeChunks(connectCommand(1, app, tcUrl), CHUNK_SIZE),
    encodeChunks(createStreamCommand(2), CHUNK_SIZE),
    encodeChunks(publish, CHUNK_SIZE),
  ]);
}

/**
 * Connects and completes the simple handshake. Bytes the server sent after S2 (none, from a
 * server waiting for connect) are dropped.
 */
export async function openRtmpHandshake(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  const socket = net.connect({ port, host, noDelay: true }); // no Nagle wait between C2 and commands
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const handshake = new ClientHandshake();
  socket.write(clientHello(Date.now(), randomBytes(HANDSHAKE_SIZE - 8)));
  await new Promise<void>((resolve, reject) => {
    const onData = (bytes: Buffer) => {
      const step = handshake.receive(bytes);
      if (step.send) socket.write(step.send);
      if (step.done) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve();
      }
    };
    const onClose = () => reject(new Error('closed during the handshake'));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
  return socket;
}

export interface PublishAttemptResult {
  /** onStatus codes the server sent, in order. */
  statuses: string[];
  /** 'closed': the server hung up; 'timeout': it was still open after `timeoutMs` (then closed by us). */
  end: 'closed' | 'timeout';
}

/** Handshake, connect, createStream, publish; waits until the server closes (or the timeout). */
export async function attemptRtmpPublish(
  port: number,
  app: string,
  publishName: string,
  timeoutMs = 10_000,
): Promise<PublishAttemptResult> {
  const socket = await openRtmpHandshake(port);
  const statuses: string[] = [];
  const reader = new ChunkReader((message) => {
    if (message.typeId !== MESSAGE_TYPE.commandAmf0) return;
    const command = decodeCommand(message);
    if (command.name === 'onStatus') statuses.push(statusInfo(command).code);
  });
  socket.on('data', (bytes: Buffer) => {
    try {
      reader.push(bytes);
    } catch {
      socket.destroy();
    }
  });
  const closed = once(socket, 'close').then(() => 'closed' as const);
  socket.write(publishCommandBytes(app, publishName));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const end = await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  socket.destroy();
  return { statuses, end };
}
