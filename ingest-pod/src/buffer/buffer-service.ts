import { allStreamsSubject, DEFAULT_SUBJECT_PREFIX } from '@tributary/crds';
import { runShutdownSteps, type ShutdownStep, startHealthServer } from '@tributary/runtime';
import type { DestinationStream, LevelWithSilent, Logger } from 'pino';
import { createProcessLogger } from '../observability/process-logger.js';
import { connectNats, type NatsLink } from '../publish/connection.js';
import { startBufferHttp } from './buffer-http.js';
import { BufferHub } from './buffer-hub.js';
import { createBufferMetrics } from './buffer-metrics.js';
import { loadConsoleAssets } from './console/console-assets.js';
import { ConsoleFeed } from './console/console-feed.js';
import type { PushListenerAddresses } from './console/console-view.js';
import { StreamBoard } from './console/stream-board.js';

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
  /** The push-listener's addresses, to show encoders' publish URLs in the console. */
  pushListener?: PushListenerAddresses;
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

/** The subjects of one channel to subscribe to: one per namespace, or every stream's. */
export function bufferSubjects(
  prefix: string,
  namespaces: readonly string[],
  channel: 'av' | 'status' | 'events',
): string[] {
  return namespaces.length === 0
    ? [allStreamsSubject(channel, prefix)]
    : namespaces.map((ns) => `${prefix}.${ns}.*.${channel}`);
}

/**
 * `tributary buffer`: subscribes to the Streams' `.av`, `.status` and `.events`, keeps a ring per
 * stream and serves it, with the console.
 */
export async function startBuffer(options: BufferServiceOptions): Promise<BufferService> {
  const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const log = createProcessLogger({
    component: 'buffer',
    replica: options.replica,
    ...(options.logLevel !== undefined && { level: options.logLevel }),
    ...(options.logDestination !== undefined && { destination: options.logDestination }),
  });
  const forgetAfterMs = Math.max(10 * 60_000, options.windowMs);
  const hub = new BufferHub({
    prefix,
    windowMs: options.windowMs,
    maxBytes: options.maxBytesPerStream,
    forgetAfterMs,
  });
  const board = new StreamBoard(prefix);
  const feed = new ConsoleFeed(hub, board, options.pushListener ?? {});
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
    console: { feed, assets: loadConsoleAssets() },
  });
  link = await connectNats({
    servers: options.natsUrl,
    name: `tributary-buffer-${options.replica}`,
    ...(options.natsCreds !== undefined && { credsFile: options.natsCreds }),
    log,
    metrics,
  });
  const nc = link.nc;
  const subscribe = (subjects: string[], take: (subject: string, data: Uint8Array) => void) =>
    subjects.map((subject) =>
      nc.subscribe(subject, {
        callback: (error, message) => {
          if (error === null) take(message.subject, message.data);
        },
      }),
    );
  const subjects = bufferSubjects(prefix, options.namespaces, 'av');
  const subscriptions = [
    ...subscribe(subjects, (subject, data) => hub.receive(subject, data, Date.now())),
    ...subscribe(
      [
        ...bufferSubjects(prefix, options.namespaces, 'status'),
        ...bufferSubjects(prefix, options.namespaces, 'events'),
      ],
      (subject, data) => {
        if (board.receive(subject, data, Date.now())) feed.changed();
      },
    ),
  ];
  log.info({ subjects, port: media.port }, 'buffering');
  const forget = setInterval(() => {
    const now = Date.now();
    hub.forgetSilent(now);
    board.forgetSilentSince(now - forgetAfterMs);
  }, FORGET_CHECK_MS);
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
    { name: 'close console pages', run: () => feed.close() },
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
