import type { Codec } from '../avpacket.js';
import type { TrackKind } from '../timeline/track-kind.js';

/** What was measured of one input's media, by priority. */
export interface InputMeasurements {
  /** Sum of the tracks' bitrates. */
  bitrateKbps: number;
  /** By track id. */
  tracks: TrackStats[];
  /** Elementary streams the source carries that we cannot publish, by PID. */
  unknownStreams: UnknownStream[];
  /** Transport link statistics while the input's link is open (SRT). */
  link?: RoundedLinkStats;
}

export interface TrackStats {
  trackId: number;
  codec: Codec;
  kind: TrackKind;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  /** Over the trailing bitrate window. */
  bitrateKbps: number;
}

export interface UnknownStream {
  pid: number;
  streamType: number;
}

/** A reader's link statistics as `status.inputs[].link` of the Stream: whole numbers, rates in kbit/s. */
export interface RoundedLinkStats {
  rttMs: number;
  latencyMs: number;
  bandwidthKbps: number;
  receiveRateKbps: number;
  receiveBufferMs: number;
  packetsReceived: number;
  packetsLost: number;
  packetsRetransmitted: number;
  packetsDropped: number;
}
