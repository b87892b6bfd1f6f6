// @tributary/operator: the controller that runs one ingest pod per Stream. Entry point: src/main.ts.
export { Operator } from './operator.js';
export { type OperatorOptions, parseOptions } from './options.js';
export {
  buildIngestPod,
  INGEST_APP,
  ingestPodName,
  LABEL_APP,
  LABEL_STREAM,
} from './reconcile/pod-manifest.js';
