export type * from './measurements.js';
export { MediaTracker, type MediaTrackerOptions } from './media-tracker.js';
export { SlidingRate } from './sliding-rate.js';
