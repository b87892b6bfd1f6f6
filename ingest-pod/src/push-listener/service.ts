// The push-listener process: health and metrics, NATS, the registry mirror, the gate, and the
// RTMP and SRT servers; a graceful drain on SIGTERM.
import type { KeyObject } from 'node:crypto';
import { natsInboxPrefix } from '@tributary/crds';
import { runShutdownSteps, type ShutdownStep, startHealthServer } from '@tributary/runtime';
import type { DestinationStream, LevelWithSilent } from 'pino';
import type { Logger } from '../observability/logger.js';
import { createProcessLogger } from '../observability/process-logger.js';
import { connectNats, type NatsLink } from '../publish/connection.js';
import type { Registry, RegistryMirror } from '../registry/registry-api.js';
import { createPushGate, type ListenerGate } from './gate.js';
import { createPushMetrics } from './push-metrics.js';
import { type RegistryKit, registryKit } from './registry-kit.js';
import { RtmpPushServer } from './rtmp/rtmp-push-server.js';
import { SrtPublishServer } from './srt/srt-publish-server.js';

export interface PushListenerOptions {
  /** Where RTMP and SRT listen. */
  host: string;
  rtmpPort: number;
  srtPort: number;
  /** /healthz, /readyz, /metrics; host defaults to `host`. */
  metricsHost?: string;
  metricsPort: number;
  natsUrl: string;
  natsCreds?: string;
  subjectPrefix: string;
  /** PEM of the private key SRT passphrases are sealed to; without it SRT publishing is refused. */
  sealingKeyPem?: string;
  replica: string;
  /** An RTMP connection that does not start publishing within this is closed. */
  idleTimeoutMs: number;
  /** node-media-server's store directory. */
  dataDir: string;
  srtLatencyMs?: number;
  logLevel?: LevelWithSilent;
  logDestination?: DestinationStream;
  processMetrics?: boolean;
  /** The registry's functions; tests may substitute them. */
  kit?: RegistryKit;
}

export interface PushListenerService {
  readonly rtmpPort: number;
  readonly srtPort: number;
  readonly metricsPort: number;
  readonly log: Logger;
  readonly gate: ListenerGate;
  /** The drain-and-exit sequence, for handleShutdown. */
  readonly shutdownSteps: readonly ShutdownStep[];
  /** Runs the shutdown steps (in-process use). */
  stop(): Promise<void>;
}

export const DRAIN_REASON = 'listener draining';

/**
 * Starts one push-listener replica. The health server comes first, so probes answer (not ready)
 * while NATS and the registry are being reached.
 */
export async function startPushListener(options: PushListenerOptions): Promise<PushListenerService> {
  const kit = options.kit ?? registryKit;
  const log = createProcessLogger({
    component: 'push-listener',
    replica: options.replica,
    ...(options.logLevel !== undefined && { level: options.logLevel }),
    ...(options.logDestination !== undefined && { destination: options.logDestination }),
  });
  const metrics = createPushMetrics({ processMetrics: options.processMetrics ?? true });
  let link: NatsLink | undefined;
  /** The registry mirror is loaded and both servers listen. */
  let started = false;
  let draining = false;

  const health = await startHealthServer({
    host: options.metricsHost ?? options.host,
    port: options.metricsPort,
    registry: metrics.registry,
    log,
    readiness: () => {
      if (draining) return { ok: false, reason: 'draining', detail: 'the listener is shutting down' };
      if (!link?.connected)
        return { ok: false, reason: 'nats-disconnected', detail: 'not connected to NATS' };
      if (!started)
        return { ok: false, reason: 'starting', detail: 'the push registry or the servers are not up yet' };
      return { ok: true };
    },
    liveness: () =>
      link?.closed
        ? { ok: false, reason: 'nats-closed', detail: 'the NATS connection closed' }
        : { ok: true },
  });

  let registry: Registry | undefined;
  let opened: RegistryMirror | undefined;
  let rtmp: RtmpPushServer | undefined;
  let srt: SrtPublishServer | undefined;
  try {
    link = await connectNats({
      servers: options.natsUrl,
      name: `tributary-push-listener-${options.replica}`,
      ...(options.natsCreds !== undefined && { credsFile: options.natsCreds }),
      inboxPrefix: natsInboxPrefix({ kind: 'push-listener' }),
      log,
      metrics,
    });
    registry = await kit.openRegistry(link.nc, {
      prefix: options.subjectPrefix,
      log: log.child({ part: 'registry' }),
    });
    const loaded = await registry.mirror();
    opened = loaded;
    const gate = createPushGate({
      registry,
      mirror: loaded,
      nc: link.nc,
      subjectPrefix: options.subjectPrefix,
      replica: options.replica,
      verifyKey: kit.verifyPublishKey,
      metrics,
      log,
    });
    const openSealed = sealOpener(kit, options.sealingKeyPem);
    srt = new SrtPublishServer({
      host: options.host,
      port: options.srtPort,
      gate,
      mirror: loaded,
      replica: options.replica,
      ...(openSealed !== undefined && { openSealed }),
      ...(options.srtLatencyMs !== undefined && { latencyMs: options.srtLatencyMs }),
      silenceTimeoutMs: options.idleTimeoutMs,
      log: log.child({ protocol: 'srt' }),
    });
    const srtServer = srt;
    loaded.onChange = (removed) => {
      gate.routesChanged(removed);
      void srtServer.refresh();
    };
    rtmp = new RtmpPushServer({
      host: options.host,
      port: options.rtmpPort,
      gate,
      knownRoutes: () => loaded.routes().keys(),
      idleTimeoutMs: options.idleTimeoutMs,
      dataDir: options.dataDir,
      log: log.child({ protocol: 'rtmp' }),
    });
    await rtmp.start();
    await srt.start();
    started = true;
    log.info(
      { rtmpPort: rtmp.port, srtPort: srt.port, metricsPort: health.port, routes: loaded.routes().size },
      'push-listener ready',
    );

    const natsLink = link;
    const openRegistry = registry;
    const rtmpServer = rtmp;
    const shutdownSteps: ShutdownStep[] = [
      {
        name: 'stop accepting',
        run: () => {
          draining = true;
          rtmpServer.stopAccepting();
          srtServer.stopAccepting();
        },
      },
      { name: 'end publishers', run: () => gate.drain(DRAIN_REASON) },
      {
        name: 'close servers',
        run: async () => {
          srtServer.close();
          await rtmpServer.close();
        },
      },
      {
        name: 'close registry',
        run: async () => {
          loaded.close();
          await openRegistry.close();
        },
      },
      { name: 'drain NATS', run: () => natsLink.drain() },
      { name: 'close HTTP server', run: () => health.close() },
    ];
    let stopping: Promise<void> | undefined;
    return {
      rtmpPort: rtmp.port,
      srtPort: srt.port,
      metricsPort: health.port,
      log,
      gate,
      shutdownSteps,
      stop() {
        stopping ??= runShutdownSteps(shutdownSteps, log);
        return stopping;
      },
    };
  } catch (error) {
    srt?.close();
    await rtmp?.close().catch(() => undefined);
    opened?.close();
    await registry?.close().catch(() => undefined);
    await link?.drain().catch(() => undefined);
    await health.close();
    throw error;
  }
}

/** Opens sealed SRT passphrases with the listener's key; undefined (SRT refused) without one. */
function sealOpener(
  kit: RegistryKit,
  pem: string | undefined,
): ((sealed: string) => Promise<string>) | undefined {
  if (pem === undefined) return undefined;
  let key: KeyObject;
  try {
    key = kit.loadSealingKey(pem);
  } catch (error) {
    throw new Error(`the sealing key cannot be used: ${(error as Error).message}`, { cause: error });
  }
  return async (sealed) => kit.openSealed(key, sealed);
}
