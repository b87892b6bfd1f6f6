export type { MuxStats, MuxTrack, SkippedTrack } from './ts-muxer.js';
export { TsMuxer } from './ts-muxer.js';
