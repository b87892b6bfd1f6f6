import type { TrackInfo } from '../avpacket.js';
import type { PacketReader } from '../packet-reader.js';

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
}

/** Something a reader reports besides packets: shown as events, status and metrics. */
export type ReaderEvent =
  | { type: 'segment-skipped'; uri: string; reason: string }
  | { type: 'playlist-retry'; attempt: number; reason: string }
  | { type: 'demux'; detail: string }
  | { type: 'tracks'; tracks: readonly TrackInfo[] }
  | { type: 'unknown-stream'; pid: number; streamType: number };

export interface ReaderCounters {
  bytes: number;
  tsPackets: number;
  ccErrors: number;
  unknownStreams: number;
}

export interface ReaderContext {
  /** Root under which `file://<mount>/<path>` resolves (`/vod` in the pod, `--vod-root` in the CLI). */
  vodRoot?: string;
  onEvent?: (event: ReaderEvent) => void;
}

/** A PacketReader that can also tell what it has seen so far (for status and metrics). */
export interface InputReader extends PacketReader {
  readonly tracks: readonly TrackInfo[];
  readonly counters: Readonly<ReaderCounters>;
}

export type CreateReader = (input: ReaderInput, context: ReaderContext) => InputReader;
