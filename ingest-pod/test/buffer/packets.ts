// Made-up access units for the buffer's rule tests: 25 fps video with a keyframe every `gop`
// frames, and AAC frames in between.
import type { Codec } from '../../src/avpacket.js';
import type { PlacedPacket } from '../../src/buffer/output-timeline.js';
import type { WirePacket } from '../../src/wire/index.js';

export const FRAME = 3600;

export function wirePacket(fields: Partial<WirePacket> & { codec?: Codec }): WirePacket {
  return {
    codec: 'h264',
    trackId: 256,
    pts: 0,
    dts: 0,
    key: false,
    data: new Uint8Array(100),
    inputPriority: 0,
    sessionId: 1,
    sessionStart: false,
    seq: 0,
    wallTimeMs: 0,
    ...fields,
  };
}

export function placed(fields: Partial<PlacedPacket>): PlacedPacket {
  return { ...wirePacket(fields), discontinuity: false, ...fields };
}

/** `frames` video frames from `startDts` (a multiple of FRAME), a keyframe every `gop` frames counted from 0. */
export function videoRun(frames: number, gop: number, startDts = 0, sessionId = 1): PlacedPacket[] {
  return Array.from({ length: frames }, (_, i) =>
    placed({
      dts: startDts + i * FRAME,
      pts: startDts + i * FRAME,
      key: (startDts / FRAME + i) % gop === 0,
      sessionId,
    }),
  );
}
