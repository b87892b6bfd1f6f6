// What a push-listener would relay, built with relay-wire: start, media cut anywhere, end.
import type { FlvTag } from '../../src/flv/flv-tag.js';
import {
  encodeFlvRecord,
  RELAY_FLAG_CONTINUATION,
  RelayKind,
  type RelayMessage,
} from '../../src/push-relay/relay-wire.js';

const encoder = new TextEncoder();

export const PEER = '192.0.2.10:50001';

export function startMessage(session: number, protocol: 'rtmp' | 'srt', peer = PEER): RelayMessage {
  const payload = encoder.encode(JSON.stringify({ protocol, peer, replica: 'listener-0' }));
  return { kind: RelayKind.start, session, sequence: 0, payload };
}

export function endMessage(
  session: number,
  sequence: number,
  reason = 'publisher disconnected',
): RelayMessage {
  return { kind: RelayKind.end, session, sequence, payload: encoder.encode(JSON.stringify({ reason })) };
}

/** FLV records back to back, and the offsets where records begin. */
export function flvRecords(tags: readonly FlvTag[]): { bytes: Uint8Array; starts: Set<number> } {
  const records = tags.map((tag) => encodeFlvRecord(tag.type, tag.timestamp, tag.data));
  const bytes = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  const starts = new Set<number>();
  let at = 0;
  for (const record of records) {
    starts.add(at);
    bytes.set(record, at);
    at += record.length;
  }
  return { bytes, starts };
}

/** Sorted, distinct cut offsets inside (0, length). */
export function normaliseCuts(cuts: readonly number[], length: number): number[] {
  return [...new Set(cuts.filter((c) => c > 0 && c < length))].sort((a, b) => a - b);
}

/** Every `size` bytes. */
export function everyBytes(length: number, size: number): number[] {
  const cuts: number[] = [];
  for (let at = size; at < length; at += size) cuts.push(at);
  return cuts;
}

/**
 * Media messages of one session from sequence `first` on: `bytes` cut at `cuts`; for FLV each
 * message that begins inside a record carries the continuation flag.
 */
export function mediaMessages(
  kind: typeof RelayKind.ts | typeof RelayKind.flv,
  session: number,
  bytes: Uint8Array,
  cuts: readonly number[],
  starts?: ReadonlySet<number>,
  first = 1,
): RelayMessage[] {
  const bounds = [0, ...normaliseCuts(cuts, bytes.length), bytes.length];
  const out: RelayMessage[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    if (to === from) continue;
    const continuation = kind === RelayKind.flv && starts !== undefined && !starts.has(from);
    out.push({
      kind,
      session,
      sequence: first + out.length,
      ...(continuation && { flags: RELAY_FLAG_CONTINUATION }),
      payload: bytes.subarray(from, to),
    });
  }
  return out;
}

const isVideoKeyframe = (tag: FlvTag) =>
  tag.type === 9 && (tag.data[0] ?? 0) >> 4 === 1 && (tag.data[1] ?? 0) === 1;
const isVideoConfig = (tag: FlvTag) => tag.type === 9 && (tag.data[1] ?? 1) === 0;
const isAudioConfig = (tag: FlvTag) => tag.type === 8 && (tag.data[0] ?? 0) >> 4 === 10 && tag.data[1] === 0;

/** As the listener does: the latest video and audio sequence headers again before every video keyframe. */
export class HeaderRepeater {
  #video: FlvTag | undefined;
  #audio: FlvTag | undefined;

  push(tag: FlvTag): FlvTag[] {
    if (isVideoConfig(tag)) this.#video = tag;
    else if (isAudioConfig(tag)) this.#audio = tag;
    else if (isVideoKeyframe(tag)) {
      const out: FlvTag[] = [];
      if (this.#video !== undefined) out.push({ ...this.#video, timestamp: tag.timestamp });
      if (this.#audio !== undefined) out.push({ ...this.#audio, timestamp: tag.timestamp });
      out.push(tag);
      return out;
    }
    return isVideoConfig(tag) || isAudioConfig(tag) ? [] : [tag];
  }
}

export function withHeadersBeforeKeyframes(tags: readonly FlvTag[]): FlvTag[] {
  const repeater = new HeaderRepeater();
  return tags.flatMap((tag) => repeater.push(tag));
}

export function isKeyframeTag(tag: FlvTag): boolean {
  return isVideoKeyframe(tag);
}

/** Video frame tags (not sequence headers or end-of-sequence). */
export function isVideoFrameTag(tag: FlvTag): boolean {
  return tag.type === 9 && tag.data[1] === 1;
}
