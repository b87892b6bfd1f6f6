// AV1 over Enhanced RTMP (FourCC av01): temporal units in, the low-overhead OBU format out, each
// starting with a temporal delimiter and every keyframe behind a sequence header OBU (its own, or
// the latest seen in the configuration record or in band).
import type { AVPacket } from '../avpacket.js';
import { MAX_PARAMETER_SET_BYTES } from '../limits.js';
import {
  isKeyFrameHeader,
  OBU_FRAME,
  OBU_FRAME_HEADER,
  OBU_SEQUENCE_HEADER,
  OBU_TEMPORAL_DELIMITER,
  type Obu,
  readSequenceHeader,
  splitObus,
  TEMPORAL_DELIMITER,
  writeObus,
} from './av1-obu.js';
import type { FlvReporter } from './flv-api.js';
import { VideoTrack } from './video-track.js';

/** AV1CodecConfigurationRecord: marker/version, profile/level, flags, delay; configOBUs follow. */
const CONFIG_HEADER = 4;

export class Av1VideoTrack extends VideoTrack {
  /** The latest sequence header, as a complete OBU with a size field. */
  private sequenceHeader: Uint8Array | null = null;
  private reducedStillPictureHeader = false;

  constructor(reporter: FlvReporter) {
    super('av1', reporter);
  }

  config(body: Uint8Array): void {
    if (body.length < CONFIG_HEADER || (body[0]! & 0x80) === 0) {
      this.reporter.malformed('video', 'not an AV1CodecConfigurationRecord');
      return;
    }
    const obus = splitObus(body.subarray(CONFIG_HEADER));
    if (typeof obus === 'string') {
      this.reporter.malformed('video', obus);
      return;
    }
    const header = obus.find((o) => o.type === OBU_SEQUENCE_HEADER);
    if (header) this.refresh(header);
  }

  frame(body: Uint8Array, flvKey: boolean, dts: number, pts: number, out: AVPacket[]): void {
    const all = splitObus(body);
    if (typeof all === 'string') {
      this.reporter.malformed('video', all);
      return;
    }
    const obus = all.filter((o) => o.type !== OBU_TEMPORAL_DELIMITER);
    const ownHeader = obus.find((o) => o.type === OBU_SEQUENCE_HEADER);
    if (ownHeader) this.refresh(ownHeader);
    const frame = obus.find((o) => o.type === OBU_FRAME || o.type === OBU_FRAME_HEADER);
    if (frame === undefined) return; // no picture: only the sequence header (now cached) mattered
    const key = flvKey || isKeyFrameHeader(frame.payload, this.reducedStillPictureHeader);
    if (!this.admit(key, ownHeader !== undefined || this.sequenceHeader !== null)) return;
    const prefix: Uint8Array[] = [TEMPORAL_DELIMITER];
    if (key && !ownHeader) prefix.push(this.sequenceHeader!);
    this.emit(out, writeObus(prefix, obus), key, dts, pts);
  }

  private refresh(header: Obu): void {
    if (header.payload.length > MAX_PARAMETER_SET_BYTES) {
      this.reporter.parameterSetsRefused('av1', 1);
      return;
    }
    const info = readSequenceHeader(header.payload);
    if (info === null) {
      this.reporter.malformed('video', 'truncated AV1 sequence header');
      return;
    }
    this.sequenceHeader = writeObus([], [header]);
    this.reducedStillPictureHeader = info.reducedStillPictureHeader;
    this.setSize(info);
  }
}
