// FLV tags (RTMP pull/push, FLV files) to AVPackets, and the FLV file tag reader.
export {
  emptyFlvStats,
  FLV_TRACK_ID,
  type FlvConverterOptions,
  type FlvEvent,
  type FlvMedia,
  type FlvStats,
  type UnsupportedTrack,
} from './flv-api.js';
export { FlvConverter } from './flv-converter.js';
export { type FlvFileHeader, FlvFileReader, type FlvFileStats, readFlvFile } from './flv-file.js';
export { FLV_TAG, type FlvTag, type FlvTagType } from './flv-tag.js';
export { MillisecondUnwrapper } from './millisecond-unwrap.js';
