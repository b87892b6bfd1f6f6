// Reads the FLV tag headers the tests check: codec, packet type, keyframe, composition offset.
import type { FlvTag } from '../../src/flv/flv-tag.js';

export interface InspectedTag {
  kind: 'video' | 'audio' | 'script';
  /** AVC/AAC sequence header (codec configuration). */
  config: boolean;
  /** An access unit (AVC NALU packet or raw AAC frame). */
  frame: boolean;
  key: boolean;
  dts: number;
  pts: number;
}

export function inspectTag(tag: FlvTag): InspectedTag {
  const d = tag.data;
  const base = { dts: tag.timestamp, pts: tag.timestamp, key: false, config: false, frame: false };
  if (tag.type === 18) return { kind: 'script', ...base };
  if (tag.type === 8) {
    const aac = d[0]! >> 4 === 10;
    return { kind: 'audio', ...base, config: aac && d[1] === 0, frame: !aac || d[1] === 1 };
  }
  const avc = (d[0]! & 0x0f) === 7;
  const cts = avc ? (((d[2]! << 16) | (d[3]! << 8) | d[4]!) << 8) >> 8 : 0; // SI24
  return {
    kind: 'video',
    ...base,
    pts: tag.timestamp + cts,
    key: d[0]! >> 4 === 1,
    config: avc && d[1] === 0,
    frame: !avc || d[1] === 1,
  };
}
