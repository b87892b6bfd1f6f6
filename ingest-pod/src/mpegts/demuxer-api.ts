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
  /** The demuxer held more partial PES than its budget: the largest one (`bytes`) was dropped. */
  | { type: 'pes-budget-exceeded'; pid: number; bytes: number }
  /** Parameter sets over the size or count cap were not cached (`count` of them). */
  | { type: 'parameter-sets-refused'; pid: number; count: number; detail: string }
  | { type: 'malformed'; pid: number; detail: string }
  /** The `program` filter names a program the PAT does not list (once per PAT version). */
  | { type: 'program-missing'; program: number; available: number[] };

export interface DemuxStats {
  bytes: number;
  tsPackets: number;
  ccErrors: number;
  discontinuities: number;
  crcErrors: number;
  resyncs: number;
  unknownStreams: number;
  accessUnits: number;
  /** `malformed` events: bad PES/PSI headers, lost audio sync, truncation, transport errors. */
  malformed: number;
  /** `oversized-pes` events. */
  oversized: number;
  /** `pes-budget-exceeded` events: partial PES dropped to keep within the demuxer's budget. */
  budgetDrops: number;
  /** Parameter sets refused (sum of `parameter-sets-refused` counts). */
  parameterSetsRefused: number;
  /** Bytes held right now (partial packets, sections, PES, audio frames); stays bounded. */
  bufferedBytes: number;
}

/** An elementary stream the demuxer has no access-unit parser for; shown in status. */
export interface UnknownStream {
  pid: number;
  streamType: number;
  program: number;
}

/** One program of the PAT that passed the `program` filter, as its PMT describes it. */
export interface ProgramInfo {
  program: number;
  pmtPid: number;
  pcrPid: number;
  /** Elementary PIDs kept (after the `pids` filter), known codecs and unknown ones. */
  pids: number[];
}

/** A streaming MPEG-TS demuxer: bytes in (any chunking), access units out. */
export interface TsDemuxer {
  push(chunk: Uint8Array): AVPacket[];
  /** Emits what is still buffered (the last unsized PES); call at end of stream. */
  flush(): AVPacket[];
  /** Forget all state (PSI, partial PES, timestamp unwrap), e.g. before a new session. */
  reset(): void;
  readonly tracks: readonly TrackInfo[];
  /** Changes whenever `tracks` changed; cheap (no copy), so it can be polled after every push. */
  readonly tracksRevision: number;
  readonly stats: Readonly<DemuxStats>;
  /** Streams of kept programs that carry no supported codec (each also raised `unknown-stream`). */
  readonly unknownStreams: readonly UnknownStream[];
  readonly programs: readonly ProgramInfo[];
  /** Bytes per packet as the stream carries them (188; 192 for M2TS; 204 with parity), as last detected. */
  readonly packetSize: 188 | 192 | 204;
}

export interface TsDemuxerOptions extends TsFilter {
  onEvent?: (event: DemuxEvent) => void;
  /** Upper bound on one access unit; larger ones are dropped with an `oversized-pes` event.
   * Default 16 MiB. */
  maxAccessUnitBytes?: number;
  /** Bytes all PIDs together may hold in partial PES; default DEMUX_PES_BUDGET_BYTES (64 MiB). */
  pesBudgetBytes?: number;
}
