import type { CopySource } from '@tributary/crds';
import type { TrackInfo } from '../avpacket.js';
import type { PacketReader } from './packet-reader.js';

/**
 * One input as a reader sees it: secrets already resolved from the pod's env (the operator passes
 * only env var names in the stream config), params already merged into the URL query where the
 * protocol uses them.
 */
export interface ReaderInput {
  url: string;
  priority: number;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  program?: number;
  pids?: readonly number[];
  /** Per-protocol operation budget in seconds; 0 or absent = the reader's default. */
  timeoutSeconds?: number;
  insecureTLS?: boolean;
  /** Send `headers` to every host (playlist hosts, redirects), not only to the URL's origin. */
  sendHeadersToAllHosts?: boolean;
  /** copy:// only: the upstream's ladder rung to read instead of its own packets. */
  copyRung?: string;
}

/** Something a reader reports besides packets: shown as events, status and metrics. */
export type ReaderEvent =
  | { type: 'segment-skipped'; uri: string; reason: string }
  | { type: 'playlist-retry'; attempt: number; reason: string }
  /** An HLS source renumbered its segments (encoder restart); playback restarted at the new edge. */
  | { type: 'playlist-reset'; reason: string }
  /** HLS segments that left the playlist window before the reader got to them. */
  | { type: 'segments-missed'; count: number }
  /** An HLS playlist's EXT-X-TARGETDURATION, whenever it changes: the failover timings follow it. */
  | { type: 'target-duration'; ms: number }
  | { type: 'demux'; detail: string }
  | { type: 'tracks'; tracks: readonly TrackInfo[] }
  | { type: 'unknown-stream'; pid: number; streamType: number }
  /**
   * The input has no source to read right now: nobody publishes to a push input, or (`left`) its
   * publisher just left. The reader keeps waiting for one. `reason` is shown as the input's error.
   */
  | { type: 'source-absent'; reason: string; left: boolean };

export interface ReaderCounters {
  bytes: number;
  tsPackets: number;
  ccErrors: number;
  unknownStreams: number;
  /** Chunks the transport threw away: UDP queue overflow, datagrams without a TS payload. */
  dropped?: number;
  /** Partial PES the demuxer dropped to stay within its memory budget. */
  demuxBudgetDrops?: number;
  /** Parameter sets (SPS/PPS/VPS, AV1 sequence headers) refused as too large or too many. */
  parameterSetsRefused?: number;
}

/**
 * Link statistics of a transport that keeps them (SRT), as totals since the reader opened except
 * where a field says otherwise. Loss is the first thing an SRT user looks at.
 */
export interface LinkStats {
  /** Smoothed round-trip time. */
  rttMs: number;
  /** Estimated link bandwidth. */
  bandwidthMbps: number;
  /** Receive rate over the last interval. */
  receiveRateMbps: number;
  packetsReceived: number;
  /** Packets the receiver found missing (before any retransmission). */
  packetsLost: number;
  /** Retransmitted packets that arrived. */
  packetsRetransmitted: number;
  /** Packets dropped as too late to play: real loss after recovery. */
  packetsDropped: number;
  /** Data held in the receive buffer now, in ms of media. */
  receiveBufferMs: number;
  /** The latency agreed with the peer. */
  latencyMs: number;
}

/** The stream's push relay subject, for the push input's reader (NATS stays with the service). */
export interface PushFeed {
  /** `<prefix>._push.<ns>.<stream>` */
  subject: string;
  /** Calls `onMessage` with every relay message on `subject` from now until unsubscribed. */
  subscribe(subject: string, onMessage: (data: Uint8Array) => void): { unsubscribe(): void };
  /** Who publishes in `session`, when its start message was seen (by the pod, before the reader). */
  startOf?(session: number): { protocol: 'rtmp' | 'srt'; peer: string } | undefined;
}

/** Other Streams' subjects, for copy:// readers (NATS stays with the service). */
export interface CopyFeed {
  /** The subjects a copy of Stream `source.stream` (same namespace; its rung, if any) reads. */
  subjectsOf(source: CopySource): { av: string; events: string };
  /**
   * Calls `onMessage` with every message on `subject` until unsubscribed; `onError` when NATS
   * refuses or ends the subscription (e.g. the pod's credential does not grant the subject).
   */
  subscribe(
    subject: string,
    onMessage: (data: Uint8Array) => void,
    onError: (error: Error) => void,
  ): { unsubscribe(): void };
}

/** Who is publishing to a push input: from the relay's start message (no peer when joined midway). */
export interface PusherInfo {
  protocol: 'rtmp' | 'srt';
  /** `ip:port` of the encoder. */
  peer?: string;
}

export interface ReaderContext {
  /** Root under which `file://<mount>/<path>` resolves (`/vod` in the pod, `--vod-root` in the CLI). */
  vodRoot?: string;
  onEvent?: (event: ReaderEvent) => void;
  /** The push relay, where the pod serves push inputs; absent elsewhere (CLI probe). */
  push?: PushFeed;
  /** The pod's NATS connection as copy:// inputs use it; absent elsewhere (CLI probe). */
  copy?: CopyFeed;
}

/** A PacketReader that can also tell what it has seen so far (for status and metrics). */
export interface InputReader extends PacketReader {
  readonly tracks: readonly TrackInfo[];
  readonly counters: Readonly<ReaderCounters>;
  /**
   * Silence after which the input loop calls this input stalled, when the transport knows better than
   * the input loop's default (HLS: three target durations). Read on every check, so it may change.
   */
  readonly stallTimeoutMs?: number;
  /** Transport link statistics, for readers whose transport keeps them (SRT). */
  readonly linkStats?: Readonly<LinkStats>;
  /** For a push input once open: who is publishing. */
  readonly pusher?: Readonly<PusherInfo>;
}

export type CreateReader = (input: ReaderInput, context: ReaderContext) => InputReader;
