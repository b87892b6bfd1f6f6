import type { TsDemuxer, TsDemuxerOptions } from './demuxer-api.js';
import { MpegTsDemuxer } from './ts-demuxer.js';

export type {
  DemuxEvent,
  DemuxStats,
  ProgramInfo,
  TsDemuxer,
  TsDemuxerOptions,
  TsFilter,
  UnknownStream,
} from './demuxer-api.js';

/** Our MPEG-TS demuxer: PAT/PMT, PES, access units for every supported codec, program/PID filters. */
export function createTsDemuxer(options: TsDemuxerOptions = {}): TsDemuxer {
  return new MpegTsDemuxer(options);
}
