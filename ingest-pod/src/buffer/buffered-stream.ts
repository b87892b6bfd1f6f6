import { decodeEnvelope, isWireError, LossCounter, Reassembler } from '../wire/index.js';
import { BitrateHistory } from './bitrate-history.js';
import { OutputTimeline } from './output-timeline.js';
import { StreamRing, type StreamRingOptions } from './stream-ring.js';

export interface BufferedStreamSummary {
  namespace: string;
  name: string;
  tracks: { trackId: number; codec: string }[];
  /** Timestamp span held, ms. */
  bufferedMs: number;
  bytes: number;
  gops: number;
  sessionId: number | null;
  /** Sessions seen since this buffer started. */
  sessions: number;
  inputPriority: number | null;
  /** When the last access unit arrived (ISO 8601), null before any. */
  lastPacketAt: string | null;
  received: number;
  /** Access units missing from the sequence numbers (not counting before the first one seen). */
  lost: number;
  /** Envelopes that could not be decoded. */
  badEnvelopes: number;
  /** Live MPEG-TS viewers connected now. */
  viewers: number;
  /** Where the stream plays: live MPEG-TS and (LL-)HLS, paths on this server. */
  ts: string;
  hls: string;
}

/** One stream's side of the buffer: envelopes in, a ring of playable access units out. */
export class BufferedStream {
  readonly ring: StreamRing;
  /** What arrived per second over the last 5 minutes. */
  readonly bitrate = new BitrateHistory(300);
  readonly #timeline = new OutputTimeline();
  readonly #reassembler = new Reassembler();
  readonly #loss = new LossCounter();
  #joined = false;
  #lost = 0;
  #badEnvelopes = 0;
  #sessions = 0;
  #sessionId: number | null = null;
  #inputPriority: number | null = null;
  #lastPacketAt: number | null = null;
  /** Live MPEG-TS viewers connected now (kept by the HTTP server). */
  tsViewers = 0;

  constructor(
    readonly namespace: string,
    readonly name: string,
    ring: StreamRingOptions,
  ) {
    this.ring = new StreamRing(ring);
  }

  /** When the last access unit arrived (epoch ms). */
  get lastPacketAt(): number | null {
    return this.#lastPacketAt;
  }

  /** Takes one message from `.av`; `now` is when it arrived. */
  receive(message: Uint8Array, now: number): void {
    const envelope = decodeEnvelope(message);
    if (isWireError(envelope)) {
      this.#badEnvelopes++;
      return;
    }
    const packet = this.#reassembler.push(envelope);
    if (packet === undefined) return;
    const gap = this.#loss.observe(packet.sessionId, packet.seq);
    // Joining mid-session is not loss: the gap before the first packet seen is not counted.
    if (this.#joined) this.#lost += gap;
    this.#joined = true;
    if (packet.sessionId !== this.#sessionId) {
      this.#sessionId = packet.sessionId;
      this.#sessions++;
    }
    this.#inputPriority = packet.inputPriority;
    this.#lastPacketAt = now;
    this.bitrate.add(now, packet.data.byteLength);
    this.ring.push(this.#timeline.place(packet));
  }

  summary(): BufferedStreamSummary {
    const ring = this.ring;
    return {
      namespace: this.namespace,
      name: this.name,
      tracks: [...ring.tracks].map(([trackId, codec]) => ({ trackId, codec })),
      bufferedMs: ring.bufferedMs,
      bytes: ring.bytes,
      gops: ring.gops.length,
      sessionId: this.#sessionId,
      sessions: this.#sessions,
      inputPriority: this.#inputPriority,
      lastPacketAt: this.#lastPacketAt === null ? null : new Date(this.#lastPacketAt).toISOString(),
      received: this.#loss.stats.received,
      lost: this.#lost,
      badEnvelopes: this.#badEnvelopes,
      viewers: this.tsViewers,
      ts: `/${this.namespace}/${this.name}.ts`,
      hls: `/${this.namespace}/${this.name}/index.m3u8`,
    };
  }
}
