// Feeding a buffer as an ingest pod would: access units from a real ffmpeg file as wire envelopes
// on a real nats-server, into a `startBuffer` service on free 127.0.0.1 ports.
import { readFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AVPacket } from '../../src/avpacket.js';
import {
  type BufferService,
  type BufferServiceOptions,
  startBuffer,
} from '../../src/buffer/buffer-service.js';
import type { BufferedStreamSummary } from '../../src/buffer/buffered-stream.js';
import { encodeEnvelopes, type WirePacket } from '../../src/wire/index.js';
import { demuxAll } from '../mpegts/demux-helpers.js';
import { makeTsFile } from '../support/media.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { makeTempDir, type TempDir } from '../support/peers.js';

export interface SessionOptions {
  /** Ingest wall time of the first packet; later ones follow the DTS. Default: now for all. */
  wallMs?: number;
  /** Sequence number of the first packet (a session published in pieces). Default 0. */
  firstSeq?: number;
}

/** The access units as one session on the bus: sequence numbers from `firstSeq`, seq 0 flagged. */
export function asSession(
  packets: readonly AVPacket[],
  sessionId: number,
  { wallMs, firstSeq = 0 }: SessionOptions = {},
): WirePacket[] {
  const t0 = packets[0]?.dts ?? 0;
  const now = Date.now();
  return packets.map((packet, i) => ({
    ...packet,
    inputPriority: 0,
    sessionId,
    sessionStart: firstSeq + i === 0,
    seq: firstSeq + i,
    wallTimeMs: wallMs === undefined ? now : wallMs + Math.round((packet.dts - t0) / 90),
  }));
}

/** Publishes every packet (fragmented to the server's max_payload) and waits until the server has them. */
export async function publishPackets(nc: NatsConnection, subject: string, packets: readonly WirePacket[]) {
  const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
  for (const packet of packets)
    for (const envelope of encodeEnvelopes(packet, { maxPayload })) nc.publish(subject, envelope);
  await nc.flush();
}

/** The index just past the first GOP: the second video keyframe. */
export function firstGopEnd(packets: readonly AVPacket[]): number {
  let keys = 0;
  const end = packets.findIndex((p) => p.codec === 'h264' && p.key && ++keys === 2);
  return end < 0 ? packets.length : end;
}

/** A quiet buffer on free 127.0.0.1 ports that keeps a minute of each stream. */
export function testBufferOptions(natsUrl: string, namespaces: string[]): BufferServiceOptions {
  return {
    natsUrl,
    namespaces,
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    windowMs: 60_000,
    maxBytesPerStream: 64 * 1024 * 1024,
    maxQueuedBytesPerViewer: 8 * 1024 * 1024,
    replica: 'test',
    logLevel: 'silent',
    processMetrics: false,
  };
}

export interface BufferOnBus {
  readonly nc: NatsConnection;
  readonly buffer: BufferService;
  /** Temp dir for the test's files. */
  readonly dir: string;
  /** The access units of an ffmpeg H.264 (with B-frames) + AAC file. */
  readonly packets: AVPacket[];
  /** What `/streams` says now. */
  streams(): Promise<BufferedStreamSummary[]>;
}

/** A nats-server, a client, a buffer of namespace `demo` and test media: made before the calling file's tests, stopped after. */
export function bufferOnBus({ seconds }: { seconds: number }): BufferOnBus {
  let nats: NatsServer | undefined;
  let nc: NatsConnection | undefined;
  let buffer: BufferService | undefined;
  let dir: TempDir | undefined;
  let packets: AVPacket[] | undefined;
  before(async () => {
    dir = await makeTempDir();
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    buffer = await startBuffer(testBufferOptions(nats.url, ['demo']));
    const file = await makeTsFile(dir.path, { video: 'h264-bframes', audio: 'aac', seconds });
    packets = demuxAll(await readFile(file)).packets;
  });
  after(async () => {
    await buffer?.stop();
    await nc?.close();
    await nats?.stop();
    await dir?.remove();
  });
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('bufferOnBus: used before its before() hook ran');
    return value;
  };
  return {
    get nc() {
      return made(nc);
    },
    get buffer() {
      return made(buffer);
    },
    get dir() {
      return made(dir).path;
    },
    get packets() {
      return made(packets);
    },
    async streams() {
      const response = await fetch(`http://127.0.0.1:${made(buffer).port}/streams`);
      return ((await response.json()) as { streams: BufferedStreamSummary[] }).streams;
    },
  };
}
