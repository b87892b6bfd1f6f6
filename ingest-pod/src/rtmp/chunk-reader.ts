import { MESSAGE_TYPE, type RtmpMessage, RtmpProtocolError } from './protocol.js';

export const DEFAULT_CHUNK_SIZE = 128;

export interface ChunkReaderLimits {
  /** A declared message length above this is a protocol error. Default 8 MiB (a live frame is far smaller). */
  maxMessageBytes?: number;
  /** Declared lengths of all half-received messages together; bounds reassembly memory. Default 32 MiB. */
  maxPendingBytes?: number;
  /** Distinct chunk stream ids; real servers use fewer than ten. Default 1024. */
  maxChunkStreams?: number;
}

/** What a chunk stream remembers between chunks (spec §5.3.1): the last header's fields. */
interface ChunkStream {
  id: number;
  timestamp: number;
  /** The last timestamp or delta field, extended value included: fmt 3 reuses it as the delta. */
  field: number;
  /** The last fmt 0/1/2 header had 0xffffff in its field, so fmt 3 chunks carry 4 more bytes. */
  extended: boolean;
  length: number;
  typeId: number;
  streamId: number;
  payload: Uint8Array | undefined;
  received: number;
}

const MESSAGE_HEADER_BYTES = [11, 7, 3, 0];
const MAX_HEADER_BYTES = 3 + 11 + 4;

/**
 * Chunk stream demultiplexer: bytes in any chunking → whole messages, in arrival order of their
 * last chunk. Set Chunk Size and Abort act inside the reader (they change how the very next bytes
 * parse) and are not passed on. Each message gets its own payload buffer: nothing is reused.
 * After a protocol error every later push throws it again.
 */
export class ChunkReader {
  private chunkSizeValue = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, ChunkStream>();
  private readonly header = new Uint8Array(MAX_HEADER_BYTES);
  private headerBytes = 0;
  /** The stream whose chunk payload is being read; undefined while reading a header. */
  private current: ChunkStream | undefined;
  private chunkRemaining = 0;
  private pendingBytes = 0;
  private failure: RtmpProtocolError | undefined;
  private readonly maxMessageBytes: number;
  private readonly maxPendingBytes: number;
  private readonly maxChunkStreams: number;
  /** Half-received messages given up: aborted, or replaced by a new header on their chunk stream. */
  discarded = 0;

  constructor(
    private readonly onMessage: (message: RtmpMessage) => void,
    limits: ChunkReaderLimits = {},
  ) {
    this.maxMessageBytes = limits.maxMessageBytes ?? 8 * 1024 * 1024;
    this.maxPendingBytes = limits.maxPendingBytes ?? 32 * 1024 * 1024;
    this.maxChunkStreams = limits.maxChunkStreams ?? 1024;
  }

  get chunkSize(): number {
    return this.chunkSizeValue;
  }

  /** Bytes of half-received messages held right now (declared lengths). */
  get pending(): number {
    return this.pendingBytes;
  }

  push(data: Uint8Array): void {
    if (this.failure) throw this.failure;
    try {
      this.parse(data);
    } catch (err) {
      if (err instanceof RtmpProtocolError) this.failure = err;
      throw err;
    }
  }

  private parse(data: Uint8Array): void {
    let offset = 0;
    for (;;) {
      const stream = this.current;
      if (stream === undefined) {
        const need = this.headerNeed();
        if (this.headerBytes >= need) {
          this.beginChunk(); // also when the input ends here: a zero-length message is complete
          continue;
        }
        if (offset >= data.length) return;
        const n = Math.min(need - this.headerBytes, data.length - offset);
        this.header.set(data.subarray(offset, offset + n), this.headerBytes);
        this.headerBytes += n;
        offset += n;
        continue;
      }
      if (offset >= data.length) return;
      const n = Math.min(this.chunkRemaining, data.length - offset);
      (stream.payload as Uint8Array).set(data.subarray(offset, offset + n), stream.received);
      stream.received += n;
      this.chunkRemaining -= n;
      offset += n;
      if (this.chunkRemaining === 0) this.endChunk(stream);
    }
  }

  /** Header bytes needed so far, growing as the first bytes tell the header's shape. */
  private headerNeed(): number {
    const h = this.header;
    if (this.headerBytes < 1) return 1;
    const low = (h[0] as number) & 0x3f;
    const basic = low === 0 ? 2 : low === 1 ? 3 : 1;
    if (this.headerBytes < basic) return basic;
    const fmt = (h[0] as number) >> 6;
    const base = basic + (MESSAGE_HEADER_BYTES[fmt] as number);
    if (this.headerBytes < base) return base;
    if (fmt < 3) return base + (readU24(h, basic) === 0xffffff ? 4 : 0);
    const stream = this.streams.get(this.chunkStreamId());
    if (stream === undefined) {
      throw new RtmpProtocolError(`chunk stream ${this.chunkStreamId()} continued (fmt 3) before it began`);
    }
    return base + (stream.extended ? 4 : 0);
  }

  private chunkStreamId(): number {
    const h = this.header;
    const low = (h[0] as number) & 0x3f;
    if (low === 0) return 64 + (h[1] as number);
    if (low === 1) return 64 + (h[1] as number) + (h[2] as number) * 256;
    return low;
  }

  private beginChunk(): void {
    const h = this.header;
    const fmt = (h[0] as number) >> 6;
    const id = this.chunkStreamId();
    const low = (h[0] as number) & 0x3f;
    let at = low === 0 ? 2 : low === 1 ? 3 : 1;
    this.headerBytes = 0;
    const stream = this.streams.get(id) ?? this.newChunkStream(id, fmt);
    let { field, extended, length, typeId, streamId } = stream;
    if (fmt <= 2) {
      field = readU24(h, at);
      extended = field === 0xffffff;
      at += 3;
    }
    if (fmt <= 1) {
      length = readU24(h, at);
      typeId = h[at + 3] as number;
      at += 4;
    }
    if (fmt === 0) {
      streamId = readU32LE(h, at);
      at += 4;
    }
    if (extended) field = readU32(h, at);
    if (fmt === 3 && stream.payload !== undefined) {
      this.startPayload(stream); // the next chunk of the message under way
      return;
    }
    if (stream.payload !== undefined) this.discard(stream); // a new header mid-message abandons it
    if (length > this.maxMessageBytes) {
      throw new RtmpProtocolError(
        `message of ${length} bytes exceeds the ${this.maxMessageBytes}-byte limit`,
      );
    }
    if (this.pendingBytes + length > this.maxPendingBytes) {
      throw new RtmpProtocolError(`more than ${this.maxPendingBytes} bytes of unfinished messages`);
    }
    Object.assign(stream, { field, extended, length, typeId, streamId });
    stream.timestamp = fmt === 0 ? field : (stream.timestamp + field) >>> 0;
    stream.payload = new Uint8Array(length);
    stream.received = 0;
    this.pendingBytes += length;
    this.startPayload(stream);
  }

  private newChunkStream(id: number, fmt: number): ChunkStream {
    // fmt 1 is tolerated as a start (message stream 0, time base 0); 2 and 3 lack the length.
    if (fmt > 1) throw new RtmpProtocolError(`chunk stream ${id} began with a type ${fmt} header`);
    if (this.streams.size >= this.maxChunkStreams) {
      throw new RtmpProtocolError(`more than ${this.maxChunkStreams} chunk streams`);
    }
    const stream: ChunkStream = {
      id,
      timestamp: 0,
      field: 0,
      extended: false,
      length: 0,
      typeId: 0,
      streamId: 0,
      payload: undefined,
      received: 0,
    };
    this.streams.set(id, stream);
    return stream;
  }

  private startPayload(stream: ChunkStream): void {
    this.chunkRemaining = Math.min(this.chunkSizeValue, stream.length - stream.received);
    this.current = stream;
    if (this.chunkRemaining === 0) this.endChunk(stream);
  }

  private endChunk(stream: ChunkStream): void {
    this.current = undefined;
    if (stream.received < stream.length) return;
    const payload = stream.payload as Uint8Array;
    stream.payload = undefined;
    this.pendingBytes -= stream.length;
    const message: RtmpMessage = {
      typeId: stream.typeId,
      streamId: stream.streamId,
      timestamp: stream.timestamp,
      payload,
      chunkStreamId: stream.id,
    };
    if (message.typeId === MESSAGE_TYPE.setChunkSize) this.setChunkSize(payload);
    else if (message.typeId === MESSAGE_TYPE.abort) this.abort(payload);
    else this.onMessage(message);
  }

  private setChunkSize(payload: Uint8Array): void {
    if (payload.length < 4) throw new RtmpProtocolError('Set Chunk Size message shorter than 4 bytes');
    const size = readU32(payload, 0) & 0x7fffffff; // the top bit is reserved
    if (size === 0) throw new RtmpProtocolError('Set Chunk Size to 0');
    this.chunkSizeValue = size;
  }

  private abort(payload: Uint8Array): void {
    if (payload.length < 4) throw new RtmpProtocolError('Abort message shorter than 4 bytes');
    const stream = this.streams.get(readU32(payload, 0));
    if (stream?.payload !== undefined) this.discard(stream);
  }

  private discard(stream: ChunkStream): void {
    this.pendingBytes -= stream.length;
    stream.payload = undefined;
    stream.received = 0;
    this.discarded++;
  }
}

function readU24(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 16) | ((b[at + 1] as number) << 8) | (b[at + 2] as number);
}

export function readU32(b: Uint8Array, at: number): number {
  return (
    (((b[at] as number) << 24) |
      ((b[at + 1] as number) << 16) |
      ((b[at + 2] as number) << 8) |
      (b[at + 3] as number)) >>>
    0
  );
}

function readU32LE(b: Uint8Array, at: number): number {
  return (
    (((b[at + 3] as number) << 24) |
      ((b[at + 2] as number) << 16) |
      ((b[at + 1] as number) << 8) |
      (b[at] as number)) >>>
    0
  );
}
