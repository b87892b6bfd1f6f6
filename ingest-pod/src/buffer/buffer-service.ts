import { allStreamsSubject, DEFAULT_SUBJECT_PREFIX } from '@tributary/crds';
import { runShutdownSteps, type ShutdownStep, startHealthServer } from '@tributary/runtime';
import type { DestinationStream, LevelWithSilent, Logger } from 'pino';
import { createProcessLogger } from '../observability/process-logger.js';
import { connectNats, type NatsLink } from '../publish/connection.js';
import { startBufferHttp } from './buffer-http.js';
import { BufferHub } from './buffer-hub.js';
import { createBufferMetrics } from './buffer-metrics.js';

export interface BufferServiceOptions {
  natsUrl: string;
  natsCreds?: string;
  subjectPrefix?: string;
  /** Namespaces whose Streams are buffered; every namespace when empty. */
  namespaces: readonly string[];
  host: string;
  /** Media: /streams and /<namespace>/<stream>.ts. 0 picks a free port. */
  port: number;
  /** /healthz, /readyz and /metrics. 0 picks a free port. */
  metricsPort: number;
  windowMs: number;
  maxBytesPerStream: number;
  /** Bytes a viewer may have waiting before it skips to a later keyframe. */
  maxQueuedBytesPerViewer: number;
  replica: string;
  logLevel?: LevelWithSilent;
  logDestination?: DestinationStream;
  processMetrics?: boolean;
}

export interface BufferService {
  readonly port: number;
  readonly metricsPort: number;
  readonly hub: BufferHub;
  readonly log: Logger;
  readonly shutdownSteps: readonly ShutdownStep[];
  stop(): Promise<void>;
}

/** How often streams silent past the forget time are freed. */
const FORGET_CHECK_MS = 60_000;

/** The `.av` subjects to subscribe to: one per namespace, or every stream's. */
export function bufferSubjects(prefix: string, namespaces: readonly string[]): string[] {
  return namespaces.length === 0
    ? [allStreamsSubject('av', prefix)]
    : namespaces.map((ns) => `${prefix}.${ns}.*.av`);
}

/** `tributary buffer`: subscribes to the Streams' `.av`, keeps a ring per stream and serves it. */
export async function startBuffer(options: BufferServiceOptions): Promise<BufferService> {
  const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const log = createProcessLogger({
    component: 'buffer',
    replica: options.replica,
    ...(options.logLevel !== undefined && { level: options.logLevel }),
    ...(options.logDestination !== undefined && { destination: options.logDestination }),
  });
  const hub = new BufferHub({
    prefix,
    windowMs: options.windowMs,
    maxBytes: options.maxBytesPerStream,
    forgetAfterMs: Math.max(10 * 60_000, options.windowMs),
  });
  const metrics = createBufferMetrics(hub, { processMetrics: options.processMetrics ?? true });
  let link: NatsLink | undefined;
  let draining = false;
  const health = await startHealthServer({
    host: options.host,
    port: options.metricsPort,
    registry: metrics.registry,
    log,
    readiness: () => {
      if (draining) return { ok: false, reason: 'draining', detail: 'the buffer is shutting down' };
      if (!link?.connected)
        return { ok: false, reason: 'nats-disconnected', detail: 'not connected to NATS' };
      return { ok: true };
    },
    liveness: () =>
      link?.closed
        ? { ok: false, reason: 'nats-closed', detail: 'the NATS connection closed' }
        : { ok: true },
  });
  const media = await startBufferHttp({
    hub,
    host: options.host,
    port: options.port,
    maxQueuedBytes: options.maxQueuedBytesPerViewer,
  });
  link = await connectNats({
    servers: options.natsUrl,
    name: `tributary-buffer-${options.replica}`,
    ...(options.natsCreds !== undefined && { credsFile: options.natsCreds }),
    log,
    metrics,
  });
  const subjects = bufferSubjects(prefix, options.namespaces);
  const subscriptions = subjects.map((subject) =>
    link.nc.subscribe(subject, {
      callback: (error, message) => {
        if (error === null) hub.receive(message.subject, message.data, Date.now());
      },
    }),
  );
  log.info({ subjects, port: media.port }, 'buffering');
  const forget = setInterval(() => hub.forgetSilent(Date.now()), FORGET_CHECK_MS);
  forget.unref();

  const natsLink = link;
  const shutdownSteps: ShutdownStep[] = [
    {
      name: 'stop subscriptions',
      run: () => {
        draining = true;
        clearInterval(forget);
        for (const subscription of subscriptions) subscription.unsubscribe();
      },
    },
    { name: 'close media server', run: () => media.close() },
    { name: 'drain NATS', run: () => natsLink.drain() },
    { name: 'close HTTP server', run: () => health.close() },
  ];
  let stopping: Promise<void> | undefined;
  return {
    port: media.port,
    metricsPort: health.port,
    hub,
    log,
    shutdownSteps,
    stop() {
      stopping ??= runShutdownSteps(shutdownSteps, log);
      return stopping;
    },
  };
}
