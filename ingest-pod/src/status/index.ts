export { SlidingRate } from './sliding-rate.js';
export { type StatusLoop, type StatusLoopOptions, startStatusLoop } from './status-loop.js';
export {
  ERROR_HISTORY,
  StatusTracker,
  type StatusTrackerOptions,
  SWITCH_HISTORY,
  type SwitchEntry,
} from './status-tracker.js';
export type * from './status-types.js';
