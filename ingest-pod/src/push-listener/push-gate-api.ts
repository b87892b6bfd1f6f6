// Between the protocol servers (RTMP through node-media-server, SRT through libsrt) and the rest
// of the push-listener: the gate decides who may publish and hands back a relay for their media.
import type { RouteKey } from '../registry/registry-api.js';

/** Why a publisher was refused; the `reason` label of tributary_push_rejections_total. */
export type RejectReason =
  /** The address or stream id does not name a stream in any accepted shape. */
  | 'malformed'
  /** No Stream with a push input is registered under that name. */
  | 'not-found'
  /** Wrong or missing publish key (RTMP). */
  | 'bad-key'
  /** Wrong or missing SRT passphrase (SRT reports it during the handshake). */
  | 'bad-passphrase'
  /** The stream already has a publisher, on this replica or another. */
  | 'conflict'
  /** Not allowed for another reason (SRT without a sealed passphrase, play instead of publish). */
  | 'forbidden'
  /** This replica is shutting down. */
  | 'draining'
  /** The registry could not be reached. */
  | 'unavailable'
  /** Connected but never started publishing within the timeout. */
  | 'idle';

export interface PublishAttempt {
  protocol: 'rtmp' | 'srt';
  /** `ip:port` of the encoder. */
  peer: string;
  route: RouteKey;
  /** The key the RTMP publisher presented (`?key=`); SRT authenticates by passphrase instead. */
  key?: string;
}

/** An accepted publisher: its media goes to the stream's ingest pod until `end`. */
export interface Publisher {
  readonly route: RouteKey;
  readonly session: number;
  /** Relays bytes as they came: TS for SRT, FLV tag records (relay-wire encodeFlvRecord) for RTMP. */
  relay(bytes: Uint8Array): void;
  /** The publisher left: releases the active mark and tells the ingest pod. Idempotent. */
  end(reason: string): void;
  /**
   * Set by the protocol server: called when the listener takes the publisher away (its Stream was
   * deleted or unregistered, its mark was lost, the replica drains). The server must disconnect it.
   */
  onRevoked: (reason: string) => void;
}

export type Admission =
  | { ok: true; publisher: Publisher }
  | { ok: false; reason: RejectReason; detail: string };

export interface PushGate {
  /** Checks the route (and key), takes the active mark, opens the relay. Never throws. */
  admit(attempt: PublishAttempt): Promise<Admission>;
  /** Counts a refusal decided by a protocol server itself (malformed address, SRT handshake). */
  refused(protocol: 'rtmp' | 'srt', reason: RejectReason, detail: string, peer: string): void;
}
