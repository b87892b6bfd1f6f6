import { type Amf0Value, decodeAmf0, encodeAmf0 } from '../amf0/amf0.js';
import { CHUNK_STREAM, type OutgoingMessage } from './chunk-writer.js';
import { MESSAGE_TYPE, type RtmpMessage, RtmpProtocolError } from './protocol.js';

/** A decoded command message: `name, transactionId, commandObject, ...args` (spec §7.2). */
export interface Command {
  name: string;
  transactionId: number;
  commandObject: Amf0Value;
  args: Amf0Value[];
}

export interface StatusInfo {
  level: string;
  code: string;
  description: string;
}

/** Enhanced RTMP: the codecs we can take beyond the legacy FLV ids, announced in connect. */
const FOURCC_LIST = ['hvc1', 'av01', 'vp09'];

function command(values: Amf0Value[], streamId = 0): OutgoingMessage {
  return {
    chunkStreamId: CHUNK_STREAM.command,
    typeId: MESSAGE_TYPE.commandAmf0,
    streamId,
    timestamp: 0,
    payload: encodeAmf0(values),
  };
}

/**
 * NetConnection.connect. tcUrl never carries the stream key. flashVer and the capability masks are
 * what Flash Player sent (servers still look at them): every audio and video codec, fpad off.
 */
export function connectCommand(transactionId: number, app: string, tcUrl: string): OutgoingMessage {
  return command([
    'connect',
    transactionId,
    {
      app,
      flashVer: 'LNX 9,0,124,2',
      tcUrl,
      fpad: false,
      capabilities: 15,
      audioCodecs: 0x0fff,
      videoCodecs: 0x00ff,
      videoFunction: 1,
      objectEncoding: 0,
      fourCcList: FOURCC_LIST,
    },
  ]);
}

export function createStreamCommand(transactionId: number): OutgoingMessage {
  return command(['createStream', transactionId, null]);
}

/** play: start -2 takes a live stream or else a recorded one, duration -1 plays to the end. */
export function playCommand(streamId: number, streamName: string): OutgoingMessage {
  return command(['play', 0, null, streamName, -2, -1], streamId);
}

/** Type 20 is AMF0; type 17 (AMF3) carries a format byte (0) and then the same AMF0 values. */
export function decodeCommand(message: RtmpMessage): Command {
  let body = message.payload;
  if (message.typeId === MESSAGE_TYPE.commandAmf3 && body[0] === 0) body = body.subarray(1);
  const values = decodeAmf0(body);
  const [name, transactionId, commandObject, ...args] = values;
  if (typeof name !== 'string') throw new RtmpProtocolError('command message without a name');
  return {
    name,
    transactionId: typeof transactionId === 'number' ? transactionId : 0,
    commandObject: commandObject ?? null,
    args,
  };
}

function text(value: Amf0Value): string {
  return typeof value === 'string' ? value : '';
}

/** The info object of onStatus (its first argument) or of _result/_error; empty strings where absent. */
export function statusInfo(cmd: Command): StatusInfo {
  const info = cmd.args[0];
  if (info === null || typeof info !== 'object' || Array.isArray(info) || info instanceof Date) {
    return { level: '', code: '', description: '' };
  }
  return { level: text(info.level), code: text(info.code), description: text(info.description) };
}
