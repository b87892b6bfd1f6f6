import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Health,
  type HealthServer,
  runShutdownSteps,
  type ShutdownStep,
  startHealthServer,
} from '@tributary/runtime';
import type { Logger } from 'pino';
import { ObjectCache } from './controller/object-cache.js';
import { useSharedDigestKey } from './controller/secret-digest.js';
import { EventRecorder } from './events/event-recorder.js';
import { KubeApi } from './kube/api-client.js';
import type { KubeTarget } from './kube/kube-target.js';
import { LeaseElection } from './leader/lease-election.js';
import { kubeLeaseStore } from './leader/lease-store.js';
import { PushRoutes } from './nats/push-routes.js';
import { StatusFeed } from './nats/status-feed.js';
import { StreamControl } from './nats/stream-control.js';
import { NatsCredentials } from './nats-auth/nats-credentials.js';
import { OperatorMetrics } from './observability/metrics.js';
import type { OperatorOptions } from './options.js';
import { secretLabelText } from './reconcile/pod-gates.js';
import { INGEST_APP, LABEL_APP } from './reconcile/pod-manifest.js';
import { StreamController } from './stream/stream-controller.js';
import { StreamReconciler } from './stream/stream-reconciler.js';

/** Pause between attempts of a start-up step that needs the apiserver. */
const START_RETRY_MS = 5_000;

/** A running operator: caches, NATS status feed, leader election, workers and the health endpoint. */
export class Operator {
  readonly metrics: OperatorMetrics;
  readonly #log: Logger;
  readonly #api: KubeApi;
  readonly #cache: ObjectCache;
  readonly #controller: StreamController;
  readonly #feed: StatusFeed | undefined;
  readonly #election: LeaseElection | undefined;
  readonly #credentials: NatsCredentials | undefined;
  readonly #options: OperatorOptions;
  #server: HealthServer | undefined;
  #stopping = false;
  /** Settles when the last term's workers finished and its state was cleared. */
  #termEnded: Promise<void> = Promise.resolve();
  #clearTerm: () => void = () => {};

  constructor(options: OperatorOptions, target: KubeTarget, log: Logger) {
    this.#options = options;
    this.#log = log;
    const metrics = new OperatorMetrics();
    this.metrics = metrics;
    this.#api = new KubeApi(target, {
      onResponse: (method, code) => metrics.apiRequests.inc({ method, code: String(code) }),
    });
    this.#cache = new ObjectCache(
      this.#api,
      options.namespaces,
      (kind, object, verb) => this.#controller.onChange(kind, object, verb),
      (informer, error, restartInMs) => {
        metrics.informerRestarts.inc({ informer });
        log.warn({ informer, err: error, restartInMs }, 'watch failed; restarting it');
      },
      {
        podSelector: `${LABEL_APP}=${INGEST_APP}`,
        secretSelector: options.secretLabel && secretLabelText(options.secretLabel),
      },
    );
    const natsUrl = options.natsUrl;
    const credentials = options.natsAuth
      ? new NatsCredentials(this.#api, options.natsAuth, options.subjectPrefix, log, natsUrl)
      : undefined;
    this.#credentials = credentials;
    const credsFile = options.natsCredsFile;
    this.#feed = natsUrl
      ? new StatusFeed({
          servers: natsUrl,
          credentials: credentials
            ? () => credentials.operatorCreds()
            : credsFile
              ? () => readFileSync(credsFile)
              : undefined,
          subjectPrefix: options.subjectPrefix,
          log,
          watches: (namespace) => this.#cache.watches(namespace),
          onSnapshot: (key) => this.#controller.enqueue(key),
        })
      : undefined;
    const feed = this.#feed;
    const pushRoutes = feed ? new PushRoutes(() => feed.connection, options.subjectPrefix) : undefined;
    const identity = options.leaderElection.identity;
    const events = new EventRecorder(this.#api, identity, log);
    const reconciler = new StreamReconciler({
      api: this.#api,
      cache: this.#cache,
      snapshots: this.#feed,
      pushRoutes,
      credentials,
      control: feed ? new StreamControl(() => feed.connection, options.subjectPrefix) : undefined,
      events,
      metrics,
      log,
      settings: {
        pod: {
          image: options.ingestImage,
          subjectPrefix: options.subjectPrefix,
          natsUrl: options.ingestNatsUrl ?? natsUrl ?? '',
          natsCredentials: credentials ? 'per-stream' : options.ingestNatsCredentials,
          natsCa: options.natsAuth?.caFile !== undefined,
          defaults: options.podDefaults,
          pushListenerKey: options.push.listenerKey,
        },
        validation: {
          allowHostPath: options.allowHostPath,
          natsCredentials: options.ingestNatsCredentials,
          gates: {
            allowHostNetwork: options.allowHostNetwork,
            allowedNfsServers: options.allowedNfsServers,
            requireMemoryLimit: options.requireMemoryLimit,
            defaultResources: options.podDefaults.resources,
            secretLabel: options.secretLabel,
          },
        },
        backoff: options.recreateBackoff,
        statusMinIntervalMs: options.statusMinIntervalMs,
        snapshotStaleMs: options.snapshotStaleMs,
        push: options.push,
      },
    });
    this.#clearTerm = () => {
      reconciler.reset();
      credentials?.reset();
      events.forgetAll();
    };
    this.#controller = new StreamController({
      cache: this.#cache,
      reconcile: (key) => reconciler.reconcile(key),
      metrics,
      log,
      workers: options.workers,
      resyncMs: options.resyncMs,
      natsCredentialsSecret: options.ingestNatsCredentials?.secret,
    });
    const le = options.leaderElection;
    this.#election = le.enabled
      ? new LeaseElection({
          store: kubeLeaseStore(this.#api, le.namespace, le.name),
          namespace: le.namespace,
          name: le.name,
          identity,
          leaseDurationSeconds: le.leaseDurationSeconds,
          renewDeadlineMs: le.renewDeadlineMs,
          retryPeriodMs: le.retryPeriodMs,
          onStartedLeading: () => this.#lead(true),
          onStoppedLeading: () => this.#lead(false),
          onError: (error) => log.warn({ err: error }, 'leader election: could not read or renew the lease'),
        })
      : undefined;
  }

  get port(): number | undefined {
    return this.#server?.port;
  }

  get leading(): boolean {
    return this.#controller.leading;
  }

  /** Serves health and metrics, fills the caches, then campaigns (or, without election, leads). */
  async start(): Promise<void> {
    const { metrics } = this.#options;
    this.#server = await startHealthServer({
      host: metrics.host,
      port: metrics.port,
      registry: this.metrics.registry,
      readiness: () => this.#readiness(),
      log: this.#log,
    });
    this.#log.info({ port: this.#server.port, namespaces: this.#options.namespaces }, 'operator starting');
    const { namespace, name } = this.#options.leaderElection;
    if (
      !(await this.#retry('read or create the Secret digest key', () =>
        useSharedDigestKey(this.#api, namespace, `${name}-digest-key`),
      ))
    )
      return;
    const credentials = this.#credentials;
    if (credentials && !(await this.#retry('load the NATS authority', () => credentials.load()))) return;
    this.#feed?.start();
    await this.#cache.start();
    while (!this.#cache.synced && !this.#stopping) await sleep(200);
    if (this.#stopping) return;
    if (this.#election) this.#election.start();
    else this.#lead(true);
  }

  /** Runs `step` until it succeeds (true) or the operator stops (false), logging each failure. */
  async #retry(what: string, step: () => Promise<void>): Promise<boolean> {
    while (!this.#stopping) {
      try {
        await step();
        return true;
      } catch (error) {
        this.#log.error({ err: error, retryInMs: START_RETRY_MS }, `could not ${what}; retrying`);
        await sleep(START_RETRY_MS);
      }
    }
    return false;
  }

  /** Graceful stop: finish running reconciles, hand the lease over, close everything. */
  /** Run in order on SIGTERM; a failing step is logged and the next one still runs. */
  readonly shutdownSteps: readonly ShutdownStep[] = [
    {
      name: 'stop reconciling',
      run: () => {
        this.#stopping = true;
        return this.#controller.stopWorkers();
      },
    },
    { name: 'release the lease', run: () => this.#election?.stop() },
    {
      name: 'stop watches and NATS',
      run: async () => {
        await Promise.all([this.#cache.stop(), this.#feed?.stop(), this.#credentials?.stop()]);
      },
    },
    { name: 'close HTTP server', run: () => this.#server?.close() },
    { name: 'close API client', run: () => this.#api.close() },
  ];

  #stopped: Promise<void> | undefined;

  /** Runs the shutdown steps once (in-process use; the binary runs them on SIGTERM). */
  stop(): Promise<void> {
    this.#stopped ??= runShutdownSteps(this.shutdownSteps, this.#log);
    return this.#stopped;
  }

  #lead(leading: boolean): void {
    this.metrics.leader.set({ name: this.#options.leaderElection.name }, leading ? 1 : 0);
    if (leading && !this.#stopping) {
      this.#log.info({ identity: this.#options.leaderElection.identity }, 'leading: reconciling Streams');
      // A new term starts only after the last one's reconciles finished and its memory was cleared.
      const stillLeading = () => !this.#stopping && this.#election?.isLeader !== false;
      this.#termEnded = this.#termEnded.then(async () => {
        if (!stillLeading()) return;
        await this.#credentials?.startTerm((ns, name) =>
          this.#cache.watches(ns) ? (this.#cache.stream(ns, name)?.metadata.uid ?? null) : undefined,
        );
        if (stillLeading()) this.#controller.startWorkers();
      });
    } else if (!leading) {
      this.#log.info('not leading: reconciling stopped');
      const stopped = this.#controller.stopWorkers();
      this.#termEnded = this.#termEnded.then(() => stopped).then(() => this.#clearTerm());
    }
  }

  #readiness(): Health {
    const informers = this.#cache.health();
    const facts = {
      leader: this.#controller.leading,
      nats: this.#feed ? { connected: this.#feed.connected } : undefined,
      informers,
    };
    if (this.#stopping)
      return { ok: false, reason: 'stopping', detail: 'the operator is shutting down', facts };
    const waiting = informers.filter((i) => !i.synced).map((i) => i.name);
    if (waiting.length > 0)
      return {
        ok: false,
        reason: 'informers-not-synced',
        detail: `waiting for the ${waiting.join(', ')} caches to fill`,
        facts,
      };
    return { ok: true, facts };
  }
}
