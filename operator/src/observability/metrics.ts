import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export const CONTROLLER = 'stream';
export const QUEUE = 'stream';

/** The operator's metrics, named as controller-runtime and client-go name theirs. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller, by result',
    labelNames: ['controller', 'result'],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of the work queue',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by the work queue',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by the work queue',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long processing an item from the work queue takes',
    labelNames: ['name'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: 'rest_client_requests_total',
    help: 'Number of HTTP requests to the apiserver, by method and status code',
    labelNames: ['method', 'code'],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Whether this replica currently leads (1) or stands by (0)',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly informerRestarts = new Counter({
    name: 'tributary_operator_informer_restarts_total',
    help: 'Watches restarted after they failed',
    labelNames: ['informer'],
    registers: [this.registry],
  });
  readonly statusWrites = new Counter({
    name: 'tributary_operator_status_writes_total',
    help: 'Stream status writes, and writes skipped because nothing changed or the rate limit held them',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly pushRouteCleanups = new Counter({
    name: 'tributary_operator_push_route_cleanups_total',
    help: 'Push route removals from NATS KV for deleted Streams (or Streams without a push input any more), by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly streamLive = new Gauge({
    name: 'tributary_stream_live',
    help: 'Whether the Stream is live (phase Live or Degraded)',
    labelNames: ['namespace', 'name'],
    registers: [this.registry],
  });
  readonly streamFailovers = new Gauge({
    name: 'tributary_stream_failovers',
    help: 'Input switches of the Stream since it was created (status.failoverCount)',
    labelNames: ['namespace', 'name'],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Sum of rest_client_requests_total (what the benchmark divides by the number of Streams). */
  async apiRequestCount(): Promise<number> {
    const metric = await this.apiRequests.get();
    return metric.values.reduce((sum, v) => sum + v.value, 0);
  }

  forgetStream(namespace: string, name: string): void {
    this.streamLive.remove({ namespace, name });
    this.streamFailovers.remove({ namespace, name });
  }
}
