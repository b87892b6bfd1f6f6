import { hostname } from 'node:os';
import { type IngestConfig, natsInboxPrefix, subjects } from '@tributary/crds';
import { runShutdownSteps, type ShutdownStep, startHealthServer } from '@tributary/runtime';
import type { DestinationStream, LevelWithSilent } from 'pino';
import { natsCopyFeed } from '../copy/index.js';
import { controlAudience } from '../failover/control-protocol.js';
import type { ControlReply } from '../failover/types.js';
import { MediaTracker } from '../media-stats/media-tracker.js';
import { createLogger, type Logger, redactedJson } from '../observability/logger.js';
import { createIngestMetrics } from '../observability/metrics.js';
import { checkReadiness } from '../observability/readiness.js';
import { SecretRedactor } from '../observability/secret-redactor.js';
import { connectNats, type NatsLink } from '../publish/connection.js';
import { createPublisher } from '../publish/publisher.js';
import { PushRegistration } from '../push/push-registration.js';
import { PushRelayHub } from '../push/push-relay-hub.js';
import type { CreateReader } from '../reader/reader-api.js';
import { createReader as defaultCreateReader } from '../sources/create-reader.js';
import { composeStatusDocument } from '../status/status-document.js';
import { type StatusLoop, startStatusLoop } from '../status/status-loop.js';
import { Timeline } from '../timeline/timeline.js';
import type { ListenAddress } from './config-source.js';
import { ControlHandler } from './control-handler.js';
import { createFailoverMetrics } from './failover-metrics.js';
import { InputManager } from './input-manager.js';
import { secretValuesOf } from './input-secrets.js';
import { planRoute, pushInputOf } from './push-route.js';
import type { Env } from './resolve-input.js';

/** Pause between attempts to reach NATS again after a disconnect. */
const NATS_RECONNECT_WAIT_MS = 250;

export interface IngestServiceOptions {
  config: IngestConfig;
  /** Where secret values are looked up (the pod's env). */
  env: Env;
  natsUrl: string;
  natsCreds?: string;
  listen: ListenAddress;
  /** Root of the VodMounts (`/vod` in the pod). */
  vodRoot: string;
  logDestination?: DestinationStream;
  logLevel?: LevelWithSilent;
  /** The reader factory; tests and benches wrap the real one. */
  createReader?: CreateReader;
  processMetrics?: boolean;
  /**
   * The pod's name when it starts on standby (it replaces a running pod): it connects and answers
   * probes, but opens no input and publishes nothing until the operator sends `release` to it.
   */
  standby?: string | undefined;
}

export interface IngestService {
  /** Port of /healthz, /readyz and /metrics. */
  readonly port: number;
  readonly log: Logger;
  /** The drain-and-exit sequence, for handleShutdown. */
  readonly shutdownSteps: readonly ShutdownStep[];
  /** Runs the shutdown steps (in-process use). */
  stop(): Promise<void>;
}

/**
 * One Stream's ingest: pulls the active input, publishes AVPackets, events and status on NATS,
 * answers control requests and serves health and metrics. The health server starts first, so
 * probes answer (not ready) while NATS is still being reached.
 */
export async function startIngest(options: IngestServiceOptions): Promise<IngestService> {
  const { config } = options;
  const stream = { namespace: config.stream.namespace, name: config.stream.name };
  let activeInput: number | null = null;
  // Registered before anything is logged; inputs resolved later (live edits) add theirs.
  const secrets = new SecretRedactor();
  for (const input of config.inputs) secrets.register(...secretValuesOf(input, options.env));
  const log = createLogger({
    stream,
    secrets,
    ...(options.logLevel !== undefined && { level: options.logLevel }),
    ...(options.logDestination !== undefined && { destination: options.logDestination }),
    mixin: () => ({ input: activeInput }),
  });
  const metrics = createIngestMetrics({ processMetrics: options.processMetrics ?? true });
  const media = new MediaTracker({ inputCount: config.inputs.length });
  let link: NatsLink | undefined;
  let manager: InputManager | undefined;
  let standingBy = options.standby !== undefined;

  const health = await startHealthServer({
    host: options.listen.host,
    port: options.listen.port,
    registry: metrics.registry,
    log,
    redact: (text) => secrets.redact(text),
    readiness: () => {
      const active = manager?.active() ?? { priority: null, packetTimeoutMs: 0 };
      return checkReadiness({
        natsConnected: link?.connected ?? false,
        standby: standingBy,
        activeInput: active.priority,
        lastPacketAt: active.priority === null ? null : media.lastPacketAt(active.priority),
        packetTimeoutMs: active.packetTimeoutMs,
        now: Date.now(),
      });
    },
    liveness: () =>
      link?.closed
        ? { ok: false, reason: 'nats-closed', detail: 'the NATS connection closed' }
        : { ok: true },
  });

  link = await connectNats({
    servers: options.natsUrl,
    name: `tributary-ingest-${stream.namespace}-${stream.name}`,
    // Media is dropped while disconnected: retry a restarted server within a quarter second (plus
    // the client's jitter) rather than the client's default 2 s.
    reconnectTimeWaitMs: NATS_RECONNECT_WAIT_MS,
    ...(options.natsCreds !== undefined && { credsFile: options.natsCreds }),
    inboxPrefix: natsInboxPrefix({ kind: 'stream', namespace: stream.namespace, stream: stream.name }),
    log,
    metrics,
  });
  const subjectsOf = subjects(config.subjectPrefix, stream.namespace, stream.name);
  const publisher = createPublisher({
    nc: link.nc,
    subjects: subjectsOf,
    stream,
    link,
    log,
    metrics,
    secrets,
  });
  const timeline = new Timeline({}, (reanchor) => metrics.timelineReanchors.inc({ reason: reanchor.reason }));

  let statusLoop: StatusLoop | undefined;
  let statusQueued = false;
  const publishStatusSoon = () => {
    if (statusQueued) return;
    statusQueued = true;
    setImmediate(() => {
      statusQueued = false;
      statusLoop?.publishNow();
    });
  };

  const pushRelay = pushInputOf(config) === undefined ? undefined : pushRelayHub(link, subjectsOf.push, log);
  const inputs = new InputManager({
    inputs: config.inputs,
    env: options.env,
    overrides: { ...config.failover },
    createReader: options.createReader ?? defaultCreateReader,
    context: {
      vodRoot: options.vodRoot,
      ...(pushRelay !== undefined && { push: pushRelay }),
      copy: natsCopyFeed(link.nc, config.subjectPrefix, stream.namespace),
    },
    publish: (packets, meta) => {
      const out = timeline.applyBatch(packets, { sessionStart: meta.sessionStart });
      publisher.publishPackets(out, {
        inputPriority: meta.priority,
        sessionId: meta.sessionId,
        sessionStart: meta.sessionStart,
      });
      if (meta.priority !== null) media.recordPackets(meta.priority, out);
    },
    emit: (type, payload) => {
      publisher.publishEvent(type, payload);
      const input = payload.priority ?? payload.to ?? activeInput;
      log.info({ ...payload, input, event: type }, type);
    },
    failoverChanged: (view) => {
      activeInput = view.activeInput;
      publishStatusSoon();
    },
    media,
    metrics,
    failoverMetrics: createFailoverMetrics(metrics.registry),
    log,
    secrets,
  });
  manager = inputs;
  let registration: Promise<PushRegistration | undefined> | undefined;
  const natsLink = link;
  const controlHandler = new ControlHandler(config, inputs, () => {
    if (!standingBy) return { ok: true, message: 'already publishing' };
    standingBy = false;
    startPublishing();
    return { ok: true, message: 'released: the inputs open and publishing starts' };
  });
  // Everything that makes this pod the Stream's publisher; a standby pod waits for `release`.
  const startPublishing = () => {
    statusLoop = startStatusLoop({
      compose: () =>
        composeStatusDocument({
          stream,
          at: Date.now(),
          failover: inputs.failoverView(),
          media: media.measure(),
          urls: inputs.urls,
          configGeneration: controlHandler.configGeneration,
        }),
      publish: (document) => publisher.publishStatus(document),
    });
    // Not awaited: hashing the publish key takes a moment, and the pull inputs need not wait for it.
    registration = startPushRegistration(options, natsLink, log);
    publisher.publishEvent('stream.started', {
      uid: config.stream.uid,
      generation: config.stream.generation,
      inputs: config.inputs.length,
    });
    log.info({ subject: subjectsOf.av, inputs: inputs.urls }, 'stream started');
    inputs.start();
  };

  const control = link.nc.subscribe(subjectsOf.control, {
    callback: (error, message) => {
      if (error !== null) {
        log.warn({ err: error }, 'control subscription error');
        return;
      }
      let reply: ControlReply;
      let op: unknown;
      try {
        const request: unknown = message.json();
        if (!controlAudience(request, { name: options.standby, standby: standingBy })) return;
        op = (request as { op?: unknown } | null)?.op;
        reply = controlHandler.handle(request);
        if (op === 'configure' && reply.ok) publishStatusSoon();
      } catch (err) {
        reply = { ok: false, error: 'invalid_request', message: `not JSON: ${(err as Error).message}` };
      }
      log.info({ op, ok: reply.ok, reply: reply.message }, 'control request');
      message.respond(redactedJson(reply, secrets));
    },
  });

  if (standingBy) log.info({ pod: options.standby }, 'standing by until the pod it replaces is gone');
  else startPublishing();

  const shutdownSteps: ShutdownStep[] = [
    { name: 'stop readers', run: () => inputs.stop() },
    { name: 'unregister push route', run: async () => (await registration)?.stop() },
    {
      name: 'stream.stopped',
      run: () => {
        if (!standingBy) publisher.publishEvent('stream.stopped', { reason: 'shutdown' });
      },
    },
    {
      name: 'last status',
      run: () => {
        statusLoop?.publishNow();
        statusLoop?.stop();
        statusLoop = undefined;
      },
    },
    {
      name: 'drain NATS',
      run: async () => {
        control.unsubscribe();
        pushRelay?.close();
        await natsLink.drain();
      },
    },
    { name: 'close HTTP server', run: () => health.close() },
  ];
  let stopping: Promise<void> | undefined;
  return {
    port: health.port,
    log,
    shutdownSteps,
    stop() {
      stopping ??= runShutdownSteps(shutdownSteps, log);
      return stopping;
    },
  };
}

/** The push relay as readers see it: one subscription on the pod's NATS connection, shared. */
function pushRelayHub(link: NatsLink, subject: string, log: Logger): PushRelayHub {
  return new PushRelayHub(subject, (on, onMessage) => {
    const subscription = link.nc.subscribe(on, {
      callback: (error, message) => {
        if (error !== null) log.warn({ err: error }, 'push relay subscription error');
        else onMessage(message.data);
      },
    });
    return { unsubscribe: () => subscription.unsubscribe() };
  });
}

/**
 * Registers the Stream's route with the push Registry when it has a push input, and again after
 * every NATS reconnect. A route that cannot be built is logged and skipped: the pull inputs run.
 */
async function startPushRegistration(
  options: IngestServiceOptions,
  link: NatsLink,
  log: Logger,
): Promise<PushRegistration | undefined> {
  const { config, env } = options;
  const input = pushInputOf(config);
  if (input === undefined) return undefined;
  // Only a Stream with a push input needs the registry and its JetStream client.
  const { hashPublishKey, openRegistry, sealSecret } = await import('../registry/index.js');
  let plan: Awaited<ReturnType<typeof planRoute>>;
  try {
    plan = await planRoute(config, input, env, { hashPublishKey, sealSecret }, env.HOSTNAME ?? hostname());
  } catch (error) {
    plan = { ok: false, reason: (error as Error).message };
  }
  if (!plan.ok) {
    log.error({ reason: plan.reason }, 'push route not registered: publishers are refused');
    return undefined;
  }
  for (const note of plan.notes) log.warn({ route: plan.key }, note);
  const registration = new PushRegistration({
    route: plan.route,
    key: plan.key,
    openRegistry: () => openRegistry(link.nc, { prefix: config.subjectPrefix, log }),
    log,
  });
  registration.register();
  link.onChange((connected) => {
    if (connected) registration.register();
  });
  return registration;
}
