import type { AVPacket, TrackInfo } from '../avpacket.js';

/** Options shared by every TS transport (spec.inputs[].program / .pids). */
export interface TsFilter {
  /** Keep only this program_number of an MPTS. */
  program?: number;
  /** Keep only these PIDs (applied after `program`). */
  pids?: readonly number[];
}

/** Something the demuxer noticed that status, events and metrics should show. */
export type DemuxEvent =
  | { type: 'cc-error'; pid: number; expected: number; got: number }
  | { type: 'discontinuity'; pid: number }
  | { type: 'crc-error'; pid: number; table: 'pat' | 'pmt' | 'scte35' }
  | { type: 'unknown-stream'; pid: number; streamType: number; program: number }
  | { type: 'resync'; skippedBytes: number }
  | { type: 'oversized-pes'; pid: number; bytes: number }
  | { type: 'malformed'; pid: number; detail: string };

export interface DemuxStats {
  bytes: number;
  tsPackets: number;
  ccErrors: number;
  discontinuities: number;
  crcErrors: number;
  resyncs: number;
  unknownStreams: number;
  accessUnits: number;
}

/** A streaming MPEG-TS demuxer: bytes in (any chunking), access units out. */
export interface TsDemuxer {
  push(chunk: Uint8Array): AVPacket[];
  /** Emits what is still buffered (the last unsized PES); call at end of stream. */
  flush(): AVPacket[];
  /** Forget all state (PSI, partial PES, timestamp unwrap), e.g. before a new session. */
  reset(): void;
  readonly tracks: readonly TrackInfo[];
  readonly stats: Readonly<DemuxStats>;
}

export interface TsDemuxerOptions extends TsFilter {
  onEvent?: (event: DemuxEvent) => void;
  /** Upper bound on one access unit; larger ones are dropped with an `oversized-pes` event. */
  maxAccessUnitBytes?: number;
}
