// The server half of a play session, scripted by the test: what the server sends, and what the
// client sent decoded back into messages and commands.
import type { Amf0Value } from '../../src/amf0/amf0.js';
import { encodeAmf0 } from '../../src/amf0/amf0.js';
import { ChunkReader } from '../../src/rtmp/chunk-reader.js';
import { encodeChunks } from '../../src/rtmp/chunk-writer.js';
import { type Command, decodeCommand } from '../../src/rtmp/commands.js';
import { HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { type PlayEvent, PlaySession, type PlaySessionOptions } from '../../src/rtmp/play-session.js';
import type { RtmpMessage } from '../../src/rtmp/protocol.js';
import { concatBytes, filled } from './chunk-bytes.js';

export const SERVER_CHUNK_SIZE = 128;

export function serverMessage(
  typeId: number,
  payload: Uint8Array,
  streamId = 0,
  timestamp = 0,
  chunkStreamId = 3,
) {
  return encodeChunks({ chunkStreamId, typeId, streamId, timestamp, payload }, SERVER_CHUNK_SIZE);
}

export function serverCommand(values: Amf0Value[], streamId = 0): Uint8Array {
  return serverMessage(20, encodeAmf0(values), streamId);
}

export function onStatus(code: string, description = '', level = 'status', streamId = 1): Uint8Array {
  return serverCommand(['onStatus', 0, null, { level, code, description }], streamId);
}

export function control(typeId: number, ...words: number[]): Uint8Array {
  const payload = new Uint8Array(words.length * 4);
  const view = new DataView(payload.buffer);
  words.forEach((w, i) => {
    view.setUint32(i * 4, w);
  });
  return serverMessage(typeId, payload, 0, 0, 2);
}

export function userControl(event: number, value: number): Uint8Array {
  const payload = new Uint8Array(6);
  new DataView(payload.buffer).setUint16(0, event);
  new DataView(payload.buffer).setUint32(2, value);
  return serverMessage(4, payload, 0, 0, 2);
}

/** A PlaySession wired to a scripted server; `feed` delivers server bytes. */
export function scriptedSession(options: Partial<PlaySessionOptions> = {}) {
  const events: PlayEvent[] = [];
  const sent: Uint8Array[] = [];
  const fromClient: RtmpMessage[] = [];
  const clientChunks = new ChunkReader((m) => fromClient.push(m));
  let clientBytes = 0;
  const handshakeBytes = 2 * HANDSHAKE_SIZE + 1;
  const session = new PlaySession(
    {
      app: 'live',
      tcUrl: 'rtmp://h/live',
      streamName: 'key?token=t',
      secrets: ['key?token=t', 'key'],
      ...options,
    },
    (bytes) => {
      sent.push(bytes);
      const skip = Math.max(0, Math.min(bytes.length, handshakeBytes - clientBytes));
      clientBytes += bytes.length;
      if (skip < bytes.length) clientChunks.push(bytes.subarray(skip));
    },
    (e) => events.push(e),
  );
  const api = {
    session,
    events,
    sent,
    fromClient,
    feed: (...parts: Uint8Array[]) => session.receive(concatBytes(...parts)),
    /** The chunk size the client announced (Set Chunk Size is applied inside the reader). */
    clientChunkSize: () => clientChunks.chunkSize,
    commands: (): Command[] => fromClient.filter((m) => m.typeId === 20).map(decodeCommand),
    ends: () => events.filter((e) => e.type === 'end'),
    tags: () => events.flatMap((e) => (e.type === 'tag' ? [e.tag] : [])),
    /** Handshake, connect, createStream and play answered; Play.Start sent. */
    toPlaying: () => {
      session.start();
      api.feed(Uint8Array.of(3), filled(HANDSHAKE_SIZE), filled(HANDSHAKE_SIZE, 2));
      api.feed(
        serverCommand(['_result', 1, { fmsVer: 'FMS/3,0,1,123' }, { code: 'NetConnection.Connect.Success' }]),
      );
      api.feed(serverCommand(['_result', 2, null, 1]));
      api.feed(userControl(0, 1), onStatus('NetStream.Play.Reset'), onStatus('NetStream.Play.Start'));
    },
  };
  return api;
}
