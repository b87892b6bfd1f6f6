// RTMP media messages -> relay FLV records (relay-wire encodeFlvRecord), one per message. The
// latest sequence headers are re-sent before every video keyframe, so that an ingest pod joining a
// session midway (restart, probe) can start decoding at the next keyframe.
import { encodeFlvRecord } from '../../push-relay/relay-wire.js';

const TAG = { audio: 8, video: 9, script: 18 } as const;

export type TagRole = 'video-config' | 'audio-config' | 'keyframe' | 'media';
type HeaderRole = 'video-config' | 'audio-config';
/** The order headers are repeated in before a keyframe. */
const HEADER_ROLES: readonly HeaderRole[] = ['video-config', 'audio-config'];

/** What a tag body is, read from its first bytes (legacy and enhanced RTMP headers). */
export function tagRole(type: number, data: Uint8Array): TagRole {
  const first = data[0];
  if (first === undefined) return 'media';
  if (type === TAG.video) {
    const frameType = (first >> 4) & 0x07;
    if (first & 0x80) {
      // Enhanced RTMP: the low nibble is the packet type (0 SequenceStart, 1/3 CodedFrames(X)).
      const packetType = first & 0x0f;
      if (packetType === 0) return 'video-config';
      return frameType === 1 && (packetType === 1 || packetType === 3) ? 'keyframe' : 'media';
    }
    const codecId = first & 0x0f;
    if (codecId === 7 || codecId === 12) {
      // AVC, and HEVC as some CDNs extended legacy FLV: packet type 0 config, 1 NALUs, 2 end of sequence.
      if (data[1] === 0) return 'video-config';
      return frameType === 1 && data[1] === 1 ? 'keyframe' : 'media';
    }
    return frameType === 1 ? 'keyframe' : 'media';
  }
  if (type === TAG.audio) {
    const format = first >> 4;
    if (format === 10 && data[1] === 0) return 'audio-config'; // AAC sequence header
    if (format === 9 && (first & 0x0f) === 0) return 'audio-config'; // enhanced audio SequenceStart
  }
  return 'media';
}

/** Turns tags into records for `emit`, caching sequence headers to repeat them before keyframes. */
export class FlvRecordTap {
  private readonly headers = new Map<HeaderRole, { type: number; data: Uint8Array }>();
  /** Headers relayed with nothing else after them yet: no need to repeat those before a keyframe. */
  private readonly fresh = new Set<HeaderRole>();

  constructor(private readonly emit: (record: Uint8Array) => void) {}

  /**
   * One RTMP media or data message. `data` may be a view into a buffer the caller reuses: it is
   * copied before this returns. Message types other than audio, video and AMF0 data are dropped.
   */
  take(type: number, timestampMs: number, data: Uint8Array): boolean {
    if (type !== TAG.audio && type !== TAG.video && type !== TAG.script) return false;
    const role = type === TAG.script ? 'media' : tagRole(type, data);
    if (role === 'video-config' || role === 'audio-config') {
      this.headers.set(role, { type, data: new Uint8Array(data) }); // a copy: `data` may be reused
      this.fresh.add(role);
    } else {
      if (role === 'keyframe') {
        for (const which of HEADER_ROLES) {
          const header = this.headers.get(which);
          if (header && !this.fresh.has(which))
            this.emit(encodeFlvRecord(header.type, timestampMs, header.data));
        }
      }
      this.fresh.clear();
    }
    this.emit(encodeFlvRecord(type, timestampMs, data));
    return true;
  }
}
