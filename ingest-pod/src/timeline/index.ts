export {
  type Reanchor,
  type ReanchorMode,
  type ReanchorReason,
  TICKS_PER_MS,
  TIMELINE_DEFAULTS,
  Timeline,
  type TimelineCounters,
  type TimelineOptions,
} from './timeline.js';
export { defaultFrameDuration, type TrackKind, trackKind } from './track-kind.js';
