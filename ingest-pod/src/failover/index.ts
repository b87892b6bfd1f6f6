export * from './control-protocol.js';
export * from './failover-view.js';
export { diffInputs, type InputChange, type InputsDiff } from './inputs-diff.js';
export * from './machine.js';
export { createFailoverState, shouldPublish, step } from './step.js';
export * from './timings.js';
export type * from './types.js';
