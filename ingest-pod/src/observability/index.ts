export { type HealthServer, type HealthServerOptions, startHealthServer } from './http-server.js';
export {
  createLogger,
  inputLogger,
  type Logger,
  type LoggerOptions,
  redactUrlsIn,
  type StreamIdentity,
} from './logger.js';
export {
  createIngestMetrics,
  type IngestMetrics,
  type MetricsOptions,
  type PublishFailureReason,
} from './metrics.js';
export { checkReadiness, type Health, type ReadinessFacts } from './readiness.js';
export { handleShutdown, type ShutdownHandle, type ShutdownOptions, type ShutdownStep } from './shutdown.js';
