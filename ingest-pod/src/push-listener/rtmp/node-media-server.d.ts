// The parts of node-media-server 4.4.3 (plain JS, no types) the RTMP push server uses: its RTMP
// protocol engine and its logger. Both are private modules (no `exports` map, so deep imports
// resolve); the version is pinned exactly in package.json. Shapes read from src/protocol/rtmp.js,
// src/core/avpacket.js and src/core/logger.js.

declare module 'node-media-server/src/protocol/rtmp.js' {
  /** src/core/avpacket.js, as src/protocol/flv.js `parserTag` fills it. */
  interface NmsAvPacket {
    /** 8 audio, 9 video, 18 script (other RTMP data types pass through as their type id). */
    codec_type: number;
    codec_id: number;
    /** 0 audio sequence header, 1 audio frame, 2 video sequence header, 3 keyframe, 4 inter frame, 5 script. */
    flags: number;
    /** Milliseconds: the chunk stream clock. */
    dts: number;
    pts: number;
    size: number;
    /** The parser's reused payload buffer, longer than `size`: valid only during the callback. */
    data: Buffer;
  }

  interface NmsInvokeMessage {
    cmd?: unknown;
    transId?: unknown;
    cmdObj?: unknown;
    streamName?: unknown;
    streamId?: unknown;
  }

  interface NmsRtmpPacket {
    header: { fmt: number; cid: number; timestamp: number; length: number; type: number; stream_id: number };
    clock: number;
    payload: Buffer;
    capacity: number;
    bytes: number;
  }

  /**
   * Handshake (simple and digest), chunk parsing, AMF0 commands and their answers, for one
   * connection. Everything runs synchronously inside `parserData`, and anything in it may throw.
   */
  class Rtmp {
    /** Always null in 4.4.3: errors are thrown instead. */
    parserData(buffer: Buffer): string | null;

    onOutputCallback: (buffer: Buffer) => void;
    onPacketCallback: (packet: NmsAvPacket) => void;

    /** Answers NetStream.Publish.Start itself, then calls the callbacks: replaced per instance. */
    onPublish(invokeMessage: NmsInvokeMessage): void;
    onPlay(invokeMessage: NmsInvokeMessage): void;
    onDeleteStream(invokeMessage: NmsInvokeMessage): void;
    /** Called at the start of every message to size its payload buffer (`header.length + 1024`). */
    packetAlloc(): void;

    /** Sends onStatus NetStream.Publish.Start for `streamApp`/`streamName` on `streamId`. */
    respondPublish(): void;
    sendStatusMessage(streamId: number, level: string, code: string, description: string): void;

    /** Set by `connect`. */
    streamApp?: unknown;
    streamName: string;
    streamId: number;
    parserPacket: NmsRtmpPacket;
    /** An FLV file parser with a 1 MiB buffer, allocated per connection and never used by RTMP. */
    flv: unknown;
    /** Chunk stream id -> the message being reassembled on it. */
    inPackets: Map<number, NmsRtmpPacket>;
  }

  export = Rtmp;
}

declare module 'node-media-server/src/core/logger.js' {
  /** A process-wide singleton that prints through console.log; starts at level "debug". */
  interface NmsLogger {
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
    log(message: string, logLevel?: string): void;
  }
  const logger: NmsLogger;
  export = logger;
}
