import { randomBytes } from 'node:crypto';
import { Amf0Error } from '../amf0/amf0.js';
import { FLV_TAG, type FlvTag } from '../flv/flv-tag.js';
import { ChunkReader, type ChunkReaderLimits } from './chunk-reader.js';
import { encodeChunks, type OutgoingMessage } from './chunk-writer.js';
import {
  type Command,
  connectCommand,
  createStreamCommand,
  decodeCommand,
  playCommand,
  type StatusInfo,
  statusInfo,
} from './commands.js';
import {
  acknowledgementMessage,
  parseUserControl,
  pingResponseMessage,
  readControlValue,
  setBufferLengthMessage,
  setChunkSizeMessage,
  windowAckSizeMessage,
} from './control.js';
import { ClientHandshake, clientHello, HANDSHAKE_SIZE } from './handshake.js';
import { messageTags } from './media-messages.js';
import { MESSAGE_TYPE, type RtmpMessage, RtmpProtocolError, USER_CONTROL } from './protocol.js';
import { scrubSecrets } from './rtmp-url.js';

export type PlayEvent =
  | { type: 'tag'; tag: FlvTag }
  | { type: 'status'; info: StatusInfo }
  /** The session is over; nothing follows. `permanent`: the server refused, retrying will not help. */
  | { type: 'end'; reason: string; permanent: boolean; cause?: unknown };

/** What the session waits for next (named in timeout errors). */
export type PlayStage = 'handshake' | 'connect' | 'createStream' | 'play' | 'media' | 'playing';

export interface PlaySessionOptions {
  app: string;
  tcUrl: string;
  streamName: string;
  /** Removed from server descriptions before they go into a reason. */
  secrets?: readonly string[];
  limits?: ChunkReaderLimits;
  now?: () => number;
  random?: (bytes: number) => Uint8Array;
}

/** Chunk size for what we send; only commands, so it just saves splitting connect. */
const OUT_CHUNK_SIZE = 4096;
/** Buffer length we announce: servers that wait for it (Wowza, FMS) start sending on hearing it. */
const BUFFER_MS = 3000;
const CONNECT_TXN = 1;
const CREATE_STREAM_TXN = 2;

/** Status codes that end the session, with whether retrying can help. */
const ENDING_STATUS: Record<string, { permanent: boolean; what: string }> = {
  'NetStream.Play.StreamNotFound': { permanent: true, what: 'stream not found' },
  'NetStream.Play.Failed': { permanent: true, what: 'play failed' },
  'NetConnection.Connect.Rejected': { permanent: true, what: 'connection rejected' },
  'NetStream.Play.UnpublishNotify': { permanent: false, what: 'the publisher stopped' },
  'NetStream.Play.Stop': { permanent: false, what: 'the server stopped the stream' },
};

/**
 * The client side of one RTMP play session, without a socket: bytes in through `receive`, bytes
 * out through `send`, everything else as events. Handshake, connect, createStream, play; answers
 * pings and acknowledges every window of bytes the server asked for.
 */
export class PlaySession {
  private readonly handshake = new ClientHandshake();
  private readonly chunks: ChunkReader;
  private readonly secrets: readonly string[];
  private received = 0;
  private window = 0;
  private acknowledged = 0;
  private announcedWindow = 0;
  private ended = false;
  stage: PlayStage = 'handshake';

  constructor(
    private readonly options: PlaySessionOptions,
    private readonly send: (bytes: Uint8Array) => void,
    private readonly onEvent: (event: PlayEvent) => void,
  ) {
    this.chunks = new ChunkReader((m) => this.onMessage(m), options.limits);
    this.secrets = options.secrets ?? [];
  }

  /** Bytes received from the server, handshake included. */
  get bytesReceived(): number {
    return this.received;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Sends C0+C1. */
  start(): void {
    const random = (this.options.random ?? randomBytes)(HANDSHAKE_SIZE - 8);
    this.send(clientHello((this.options.now ?? Date.now)(), random));
  }

  receive(bytes: Uint8Array): void {
    if (this.ended) return;
    this.received += bytes.length;
    try {
      let rest: Uint8Array | undefined = bytes;
      if (!this.handshake.done) {
        const step = this.handshake.receive(bytes);
        if (step.send) this.send(step.send);
        rest = step.rest;
        if (step.done) {
          this.stage = 'connect';
          this.write(setChunkSizeMessage(OUT_CHUNK_SIZE));
          this.write(connectCommand(CONNECT_TXN, this.options.app, this.options.tcUrl));
        }
      }
      if (rest !== undefined && rest.length > 0) this.chunks.push(rest);
      this.acknowledge();
    } catch (err) {
      if (!(err instanceof RtmpProtocolError || err instanceof Amf0Error)) throw err;
      this.end(`protocol error: ${err.message}`, false);
    }
  }

  /** Ends the session from outside (socket closed, timeout): later input is ignored. */
  end(reason: string, permanent: boolean, cause?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.onEvent(
      cause === undefined ? { type: 'end', reason, permanent } : { type: 'end', reason, permanent, cause },
    );
  }

  private write(message: OutgoingMessage): void {
    if (!this.ended) this.send(encodeChunks(message, OUT_CHUNK_SIZE));
  }

  private acknowledge(): void {
    if (this.window > 0 && this.received - this.acknowledged >= this.window) {
      this.acknowledged = this.received;
      this.write(acknowledgementMessage(this.received));
    }
  }

  private onMessage(message: RtmpMessage): void {
    if (this.ended) return;
    switch (message.typeId) {
      case MESSAGE_TYPE.windowAckSize:
        this.window = readControlValue(message.payload, 'Window Acknowledgement Size');
        return;
      case MESSAGE_TYPE.setPeerBandwidth: {
        const size = readControlValue(message.payload, 'Set Peer Bandwidth');
        if (size !== this.announcedWindow) {
          this.announcedWindow = size;
          this.write(windowAckSizeMessage(size));
        }
        return;
      }
      case MESSAGE_TYPE.userControl:
        this.onUserControl(message.payload);
        return;
      case MESSAGE_TYPE.commandAmf0:
      case MESSAGE_TYPE.commandAmf3:
        this.onCommand(decodeCommand(message));
        return;
      default:
        for (const tag of messageTags(message)) {
          if (tag.type !== FLV_TAG.script) this.stage = 'playing';
          this.onEvent({ type: 'tag', tag });
          if (this.ended) return;
        }
    }
  }

  private onUserControl(payload: Uint8Array): void {
    const { event, value } = parseUserControl(payload);
    if (event === USER_CONTROL.pingRequest) this.write(pingResponseMessage(value));
    else if (event === USER_CONTROL.streamEof) this.end('the server sent StreamEOF', false);
  }

  private onCommand(cmd: Command): void {
    if (cmd.name === '_result' || cmd.name === '_error') this.onResult(cmd, cmd.name === '_error');
    else if (cmd.name === 'onStatus') this.onStatus(statusInfo(cmd));
    else if (cmd.name === 'close') this.end('the server closed the stream (close command)', false);
    // onBWDone, _onbwcheck, |RtmpSampleAccess and the like need no answer from a player
  }

  private onResult(cmd: Command, failed: boolean): void {
    if (cmd.transactionId === CONNECT_TXN) {
      if (failed) {
        this.refused('connect', statusInfo(cmd));
        return;
      }
      this.stage = 'createStream';
      this.write(createStreamCommand(CREATE_STREAM_TXN));
    } else if (cmd.transactionId === CREATE_STREAM_TXN) {
      if (failed) {
        this.refused('createStream', statusInfo(cmd));
        return;
      }
      const streamId = cmd.args[0];
      if (typeof streamId !== 'number' || !Number.isInteger(streamId) || streamId < 0) {
        throw new RtmpProtocolError('createStream answered without a stream id');
      }
      this.stage = 'play';
      this.write(playCommand(streamId, this.options.streamName));
      this.write(setBufferLengthMessage(streamId, BUFFER_MS));
    }
  }

  private refused(what: string, info: StatusInfo): void {
    const app = what === 'connect' ? ` to app "${this.options.app}"` : '';
    this.end(`the server refused ${what}${app}: ${this.describe(info) || 'no reason given'}`, true);
  }

  private onStatus(info: StatusInfo): void {
    this.onEvent({ type: 'status', info });
    if (info.code === 'NetStream.Play.Start') {
      if (this.stage !== 'playing') this.stage = 'media';
      return;
    }
    const ending = ENDING_STATUS[info.code];
    if (ending !== undefined) this.end(`${ending.what}: ${this.describe(info)}`, ending.permanent);
    else if (info.level === 'error')
      this.end(`server error: ${this.describe(info)}`, this.stage !== 'playing');
  }

  private describe(info: StatusInfo): string {
    const text = [info.code, info.description].filter((s) => s !== '').join(' ');
    return scrubSecrets(text, this.secrets);
  }
}
