// Shared by the buffer benches (buffer-latency, buffer-cost): bench media, a paced publisher of
// AVPackets on NATS as ingest pods would publish them, and the buffer's two kinds of viewer.
import { readFile } from 'node:fs/promises';
import { Agent, get, type IncomingMessage } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AVPacket } from '../ingest-pod/src/avpacket.js';
import { createTsDemuxer } from '../ingest-pod/src/mpegts/index.js';
import { encodeEnvelopes, type WirePacket } from '../ingest-pod/src/wire/index.js';
import { demuxAll } from '../ingest-pod/test/mpegts/demux-helpers.js';
import { makeTsFile } from '../ingest-pod/test/support/media.js';

/** Wall-clock ms with sub-ms resolution, comparable across the bench process and its clients. */
export const now = () => performance.timeOrigin + performance.now();

/** Identifies an access unit across the bus and the buffer's output: the buffer keeps PTS as published. */
export const auKey = (codec: string, pts: number) => `${codec}:${pts}`;

/** 10 s of 1280x720 H.264 near 4 Mbps (keyframe every second, no B-frames) + AAC: file and packets. */
export async function makeBenchMedia(dir: string): Promise<{ file: string; packets: AVPacket[] }> {
  const file = await makeTsFile(dir, {
    seconds: 10,
    size: '1280x720',
    gop: 25,
    ffmpegArgs: ['-b:v', '3.8M', '-maxrate', '3.8M', '-bufsize', '2M'],
  });
  const packets = demuxAll(await readFile(file)).packets.sort((a, b) => a.dts - b.dts);
  return { file, packets };
}

/** How one published access unit is reported: which stream, its key, when it left. */
export type OnPublish = (stream: number, key: string, at: number, bytes: number) => void;

interface StreamCursor {
  subject: string;
  sessionId: number;
  seq: number;
  loop: number;
  index: number;
  /** This stream's schedule runs this many ms after the first stream's (spreads the bursts). */
  phaseMs: number;
}

/**
 * Publishes `packets` on each subject in real time by DTS, looping forever with timestamps that go
 * on across loops (one session per subject, `seq` counting up), `wallTimeMs` = the publish time,
 * fragmented to the server's max_payload. One timer serves every subject.
 */
export class PacedPublisher {
  /** Access units and payload bytes published so far, all subjects. */
  accessUnits = 0;
  bytes = 0;
  readonly #nc: NatsConnection;
  readonly #packets: readonly AVPacket[];
  readonly #streams: StreamCursor[];
  readonly #onPublish: OnPublish | undefined;
  readonly #firstDts: number;
  /** One loop's length in 90 kHz ticks: the file's span plus one video frame. */
  readonly #periodTicks: number;
  readonly #maxPayload: number;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    nc: NatsConnection,
    packets: readonly AVPacket[],
    subjects: readonly string[],
    onPublish?: OnPublish,
  ) {
    if (packets.length === 0) throw new Error('PacedPublisher: no packets to publish');
    this.#nc = nc;
    this.#packets = packets;
    this.#onPublish = onPublish;
    this.#firstDts = packets[0]!.dts;
    const video = packets.filter((p) => p.codec === 'h264');
    const frame = video.length > 1 ? video[1]!.dts - video[0]!.dts : 3600;
    this.#periodTicks = packets[packets.length - 1]!.dts - this.#firstDts + frame;
    this.#maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    const spreadMs = 1000 / 25 / Math.max(1, subjects.length);
    this.#streams = subjects.map((subject, i) => ({
      subject,
      sessionId: 1000 + i,
      seq: 0,
      loop: 0,
      index: 0,
      phaseMs: i * spreadMs,
    }));
  }

  start(): void {
    this.#startedAt = now();
    this.#tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#streams.length = 0;
  }

  /** Ms after start at which `cursor`'s next access unit is due. */
  #dueMs(cursor: StreamCursor): number {
    const packet = this.#packets[cursor.index]!;
    return cursor.phaseMs + (cursor.loop * this.#periodTicks + packet.dts - this.#firstDts) / 90;
  }

  #tick(): void {
    const elapsed = now() - this.#startedAt;
    let next = Number.POSITIVE_INFINITY;
    for (const cursor of this.#streams) {
      while (this.#dueMs(cursor) <= elapsed) this.#publish(cursor);
      next = Math.min(next, this.#dueMs(cursor));
    }
    if (this.#streams.length === 0) return;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - (now() - this.#startedAt)));
  }

  #publish(cursor: StreamCursor): void {
    const source = this.#packets[cursor.index]!;
    const shift = cursor.loop * this.#periodTicks;
    const packet: WirePacket = {
      ...source,
      pts: source.pts + shift,
      dts: source.dts + shift,
      inputPriority: 0,
      sessionId: cursor.sessionId,
      sessionStart: cursor.seq === 0,
      seq: cursor.seq++,
      wallTimeMs: Date.now(),
    };
    for (const envelope of encodeEnvelopes(packet, { maxPayload: this.#maxPayload }))
      this.#nc.publish(cursor.subject, envelope);
    this.accessUnits++;
    this.bytes += source.data.byteLength;
    this.#onPublish?.(
      this.#streams.indexOf(cursor),
      auKey(packet.codec, packet.pts),
      now(),
      source.data.byteLength,
    );
    if (++cursor.index === this.#packets.length) {
      cursor.index = 0;
      cursor.loop++;
    }
  }
}

/** A viewer's running totals. */
export interface ViewerStats {
  bytes: number;
  /** HLS: parts fetched; .ts: always 0. */
  parts: number;
  /** HTTP statuses other than 200 (HLS: 404/503 on parts and playlists), by status. */
  errors: Map<number, number>;
}

/** Hands over the access units a viewer got, and when they became available to it. */
export type OnAccessUnits = (packets: readonly AVPacket[], at: number) => void;

export interface Viewer {
  readonly stats: ViewerStats;
  stop(): void;
}

const newStats = (): ViewerStats => ({ bytes: 0, parts: 0, errors: new Map() });

const countError = (stats: ViewerStats, status: number) =>
  stats.errors.set(status, (stats.errors.get(status) ?? 0) + 1);

/**
 * A live `.ts` viewer: streams the URL and, with `onAccessUnits`, demuxes the bytes as they
 * arrive and stamps each access unit when the demuxer hands it over; without, reads and discards.
 */
export function watchLiveTs(url: string, onAccessUnits?: OnAccessUnits): Viewer {
  const stats = newStats();
  const demuxer = onAccessUnits === undefined ? undefined : createTsDemuxer();
  let response: IncomingMessage | undefined;
  const request = get(url, (res) => {
    response = res;
    if (res.statusCode !== 200) countError(stats, res.statusCode ?? 0);
    res.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.byteLength;
      if (demuxer === undefined) return;
      const packets = demuxer.push(chunk);
      if (packets.length > 0) onAccessUnits!(packets, now());
    });
    res.on('error', () => {});
  });
  request.on('error', () => {});
  return {
    stats,
    stop() {
      response?.destroy();
      request.destroy();
    },
  };
}

interface Fetched {
  status: number;
  body: Buffer;
  /** When the response was complete. */
  at: number;
}

function fetchBody(url: string, agent: Agent, signal: AbortSignal): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), at: now() }));
      res.on('error', reject);
    });
    request.on('error', reject);
  });
}

const TS_PACKET = 188;

/** The TS packets before the first PES start, when the bytes open with a PAT; else undefined. */
function leadingTables(ts: Buffer): Buffer | undefined {
  const pid = (at: number) => ((ts[at + 1]! & 0x1f) << 8) | ts[at + 2]!;
  if (ts.byteLength < TS_PACKET || ts[0] !== 0x47 || pid(0) !== 0) return undefined;
  let end = 0;
  while (end + TS_PACKET <= ts.byteLength) {
    const unitStart = (ts[end + 1]! & 0x40) !== 0;
    const payload = end + 4 + ((ts[end + 3]! & 0x20) !== 0 ? 1 + ts[end + 4]! : 0);
    if (unitStart && ts[payload] === 0 && ts[payload + 1] === 0 && ts[payload + 2] === 1) break;
    end += TS_PACKET;
  }
  return end === 0 ? undefined : Buffer.from(ts.subarray(0, end));
}

const PART_URI = /URI="part-(\d+)\.(\d+)\.ts"/;

/** The parts a playlist lists (in order) and the part its preload hint names. */
export function parsePlaylistParts(playlist: string): {
  parts: { msn: number; index: number }[];
  hint: { msn: number; index: number } | undefined;
} {
  const parts: { msn: number; index: number }[] = [];
  let hint: { msn: number; index: number } | undefined;
  for (const line of playlist.split('\n')) {
    const uri = PART_URI.exec(line);
    if (uri === null) continue;
    const part = { msn: Number(uri[1]), index: Number(uri[2]) };
    if (line.startsWith('#EXT-X-PART:')) parts.push(part);
    else if (line.startsWith('#EXT-X-PRELOAD-HINT:')) hint = part;
  }
  return { parts, hint };
}

/**
 * An LL-HLS viewer: loops blocking playlist reloads for the hinted part and fetches each part as
 * soon as a playlist lists it. With `onAccessUnits` it demuxes each part and hands its access
 * units over stamped with when the playlist listing the part arrived.
 */
export function watchLlHls(playlistUrl: string, onAccessUnits?: OnAccessUnits): Viewer {
  const stats = newStats();
  const agent = new Agent({ keepAlive: true });
  const abort = new AbortController();
  const base = playlistUrl.slice(0, playlistUrl.lastIndexOf('/') + 1);
  const seen = new Set<string>();
  let first = true;
  let tables: Buffer | undefined;

  const fetchPart = async (name: string, listedAt: number) => {
    const part = await fetchBody(base + name, agent, abort.signal);
    if (part.status !== 200) {
      countError(stats, part.status);
      return;
    }
    stats.parts++;
    stats.bytes += part.body.byteLength;
    if (onAccessUnits === undefined) return;
    // Only a segment's first part opens with PAT + PMT (then every 100 ms): a player knows them
    // from earlier parts, so a part is demuxed after the tables seen last.
    tables = leadingTables(part.body) ?? tables;
    if (tables !== undefined) onAccessUnits(demuxAll(Buffer.concat([tables, part.body])).packets, listedAt);
  };

  const loop = async () => {
    let query = '';
    while (!abort.signal.aborted) {
      const playlist = await fetchBody(`${playlistUrl}${query}`, agent, abort.signal);
      stats.bytes += playlist.body.byteLength;
      if (playlist.status !== 200) {
        countError(stats, playlist.status);
        query = '';
        continue;
      }
      const { parts, hint } = parsePlaylistParts(playlist.body.toString('utf8'));
      for (const { msn, index } of parts) {
        const name = `part-${msn}.${index}.ts`;
        if (seen.has(name)) continue;
        seen.add(name);
        // The parts listed when the viewer joins are history: only later ones are fetched.
        if (!first) fetchPart(name, playlist.at).catch(() => {});
      }
      first = false;
      if (seen.size > 200) for (const name of [...seen].slice(0, 100)) seen.delete(name);
      // Without a hint (the newest segment just completed), the next segment's first part.
      const last = parts[parts.length - 1];
      const next = hint ?? (last === undefined ? undefined : { msn: last.msn + 1, index: 0 });
      query = next === undefined ? '' : `?_HLS_msn=${next.msn}&_HLS_part=${next.index}`;
    }
  };
  loop().catch(() => {});
  return {
    stats,
    stop() {
      abort.abort();
      agent.destroy();
    },
  };
}
