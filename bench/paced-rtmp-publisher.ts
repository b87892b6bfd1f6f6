// An RTMP encoder in the bench process, made of our own RTMP pieces: handshake, connect /
// createStream / publish, NetStream.Publish.Start awaited, Set Chunk Size, then the audio and video
// tags of an FLV file paced by their timestamps. It says when each video tag went to the socket,
// so that a subscriber in this process can measure against the same clock.
import { once } from 'node:events';
import type net from 'node:net';
import type { FlvTag } from '../ingest-pod/src/flv/flv-tag.js';
import { ChunkReader } from '../ingest-pod/src/rtmp/chunk-reader.js';
import { encodeChunks } from '../ingest-pod/src/rtmp/chunk-writer.js';
import { decodeCommand, statusInfo } from '../ingest-pod/src/rtmp/commands.js';
import { MESSAGE_TYPE } from '../ingest-pod/src/rtmp/protocol.js';
import { openRtmpHandshake, publishCommandBytes } from '../ingest-pod/test/support/rtmp-publish-attempt.js';

/** What OBS and most hardware encoders announce. */
const CHUNK_SIZE = 4096;
const CHUNK_STREAM = { control: 2, audio: 4, video: 6 } as const;
const PUBLISH_STREAM_ID = 1;

export interface PacedPublisher {
  /** Ends the pacing loop and closes the connection. */
  stop(): Promise<void>;
  /** Resolves when every tag was sent (or the publisher was stopped). */
  done: Promise<void>;
}

/**
 * Publishes to rtmp://127.0.0.1:<port>/<app>/<name>. Rejects with the onStatus codes when the
 * server answers anything but NetStream.Publish.Start.
 */
export async function publishPaced(options: {
  port: number;
  app: string;
  name: string;
  tags: readonly FlvTag[];
  /** Called right before a video frame's bytes are written (not its sequence header), with its FLV timestamp (ms). */
  onVideoSent: (timestampMs: number, at: number) => void;
  now: () => number;
}): Promise<PacedPublisher> {
  const socket = await openRtmpHandshake(options.port);
  await awaitPublishStart(socket, options.app, options.name);
  socket.write(
    encodeChunks(
      {
        chunkStreamId: CHUNK_STREAM.control,
        typeId: MESSAGE_TYPE.setChunkSize,
        streamId: 0,
        timestamp: 0,
        payload: new Uint8Array([0, 0, CHUNK_SIZE >> 8, CHUNK_SIZE & 0xff]),
      },
      128,
    ),
  );
  let running = true;
  const done = paceTags(socket, options, () => running);
  return {
    done,
    async stop() {
      running = false;
      await done;
      socket.destroy();
    },
  };
}

async function awaitPublishStart(socket: net.Socket, app: string, name: string): Promise<void> {
  const statuses: string[] = [];
  let resolveStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    resolveStart = resolve;
  });
  const reader = new ChunkReader((message) => {
    if (message.typeId !== MESSAGE_TYPE.commandAmf0) return;
    const command = decodeCommand(message);
    if (command.name !== 'onStatus') return;
    const { code } = statusInfo(command);
    statuses.push(code);
    if (code === 'NetStream.Publish.Start') resolveStart();
  });
  socket.on('data', (bytes: Buffer) => {
    try {
      reader.push(bytes);
    } catch {
      socket.destroy(); // the server broke the protocol: the publish fails with what it said so far
    }
  });
  socket.write(publishCommandBytes(app, name));
  const closed = once(socket, 'close').then(() => {
    throw new Error(`rtmp publish refused: ${statuses.join(', ') || 'closed without a status'}`);
  });
  try {
    await Promise.race([started, closed]);
  } finally {
    closed.catch(() => undefined);
  }
  // The reader keeps consuming (acknowledgements, pings) so the socket never fills up.
}

async function paceTags(
  socket: net.Socket,
  options: Parameters<typeof publishPaced>[0],
  running: () => boolean,
): Promise<void> {
  const media = options.tags.filter((t) => t.type === MESSAGE_TYPE.audio || t.type === MESSAGE_TYPE.video);
  const first = media[0]?.timestamp ?? 0;
  const start = options.now();
  for (const tag of media) {
    if (!running() || socket.destroyed) return;
    const due = start + (tag.timestamp - first);
    const wait = due - options.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const video = tag.type === MESSAGE_TYPE.video;
    const bytes = encodeChunks(
      {
        chunkStreamId: video ? CHUNK_STREAM.video : CHUNK_STREAM.audio,
        typeId: tag.type,
        streamId: PUBLISH_STREAM_ID,
        timestamp: tag.timestamp,
        payload: tag.data,
      },
      CHUNK_SIZE,
    );
    if (video && !isAvcSequenceHeader(tag.data)) options.onVideoSent(tag.timestamp, options.now());
    socket.write(bytes);
  }
}

/** AVC (codec id 7) packet type 0: the decoder configuration, not a frame. */
function isAvcSequenceHeader(data: Uint8Array): boolean {
  return ((data[0] ?? 0) & 0x0f) === 7 && data[1] === 0;
}
