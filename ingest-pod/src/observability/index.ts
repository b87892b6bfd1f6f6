export {
  createLogger,
  inputLogger,
  type Logger,
  type LoggerOptions,
  redactedJson,
  redactJsonLine,
  redactText,
  redactUrlsIn,
  type StreamIdentity,
} from './logger.js';
export {
  createIngestMetrics,
  type IngestMetrics,
  type MetricsOptions,
  type PublishFailureReason,
} from './metrics.js';
export { checkReadiness, type ReadinessFacts } from './readiness.js';
export { MIN_SECRET_LENGTH, SecretRedactor } from './secret-redactor.js';
