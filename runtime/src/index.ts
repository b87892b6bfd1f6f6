export {
  type Health,
  type HealthServer,
  type HealthServerOptions,
  startHealthServer,
} from './health-server.js';
export {
  handleShutdown,
  runShutdownSteps,
  type ShutdownHandle,
  type ShutdownLog,
  type ShutdownOptions,
  type ShutdownStep,
} from './shutdown.js';
