export {
  changeSignature,
  composeStatusDocument,
  type InputStatus,
  type StatusDocument,
  type StatusSources,
} from './status-document.js';
export { type StatusLoop, type StatusLoopOptions, startStatusLoop } from './status-loop.js';
