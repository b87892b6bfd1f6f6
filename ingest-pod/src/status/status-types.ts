import type { Codec } from '../avpacket.js';
import type { InputHealth } from '../failover/types.js';
import type { TrackKind } from '../timeline/track-kind.js';

/**
 * The JSON document published on `<prefix>.<ns>.<stream>.status`, which the operator copies into
 * the Stream's status. Times are ISO 8601 strings.
 */
export interface StreamStatusSnapshot {
  stream: { namespace: string; name: string };
  /** When the snapshot was taken. */
  at: string;
  /** Priority of the input being published; null while none is. */
  activeInput: number | null;
  /** True while no input is healthy. */
  exhausted: boolean;
  inputs: InputStatus[];
  /** Newest first, at most 20. */
  switches: SwitchStatus[];
}

export interface InputStatus {
  priority: number;
  state: InputHealth;
  lastPacketTime: string | null;
  /** Sum of the tracks' bitrates. */
  bitrateKbps: number;
  tracks: TrackStatus[];
  /** Elementary streams the source carries that we cannot publish. */
  unknownStreams: UnknownStreamStatus[];
  /** Newest first, at most 5. */
  errors: ErrorStatus[];
  /** Transport link statistics while the input's link is open (SRT). */
  link?: LinkStatus;
}

/** As `status.inputs[].link` of the Stream: whole numbers, rates in kbit/s. */
export interface LinkStatus {
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

export interface TrackStatus {
  trackId: number;
  codec: Codec;
  kind: TrackKind;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  bitrateKbps: number;
}

export interface UnknownStreamStatus {
  pid: number;
  streamType: number;
}

export interface ErrorStatus {
  message: string;
  at: string;
}

export interface SwitchStatus {
  at: string;
  /** -1 for the first activation. */
  from: number;
  to: number;
  reason: string;
  detail: string;
}
