// The push gate: who may publish (route in the registry, key, free active mark), and the relay
// their media takes once admitted. Shared by the RTMP and SRT servers of one listener replica.
import { parseRouteKey, subjects } from '@tributary/crds';
import { createLogLimiter, type LogLimiter } from '../observability/log-limiter.js';
import type { Logger } from '../observability/logger.js';
import {
  type Lease,
  type PublishKeyHash,
  type Registry,
  RegistryError,
  type RegistryMirror,
  type RouteKey,
} from '../registry/registry-api.js';
import type { Admission, PublishAttempt, Publisher, PushGate, RejectReason } from './push-gate-api.js';
import type { PushMetrics, PushProtocol } from './push-metrics.js';
import { newRelaySession, RelayPublisher, type RelayPublisherOptions } from './relay-publisher.js';

export type KeyCheck = 'match' | 'mismatch' | 'busy';

export interface PushGateOptions {
  registry: Pick<Registry, 'acquire'>;
  mirror: Pick<RegistryMirror, 'route'>;
  nc: RelayPublisherOptions['nc'];
  subjectPrefix: string;
  replica: string;
  /** The registry's scrypt check of an RTMP key ('busy': too many checks running, try later). */
  verifyKey: (hash: PublishKeyHash, presented: string) => KeyCheck | Promise<KeyCheck>;
  metrics: PushMetrics;
  log: Logger;
  /** Default: one refusal line per encoder, route and reason every 10 s. */
  refusalLogLimiter?: LogLimiter;
}

/** The gate of one replica, with what the service needs besides admission. */
export interface ListenerGate extends PushGate {
  readonly draining: boolean;
  /** Publishers admitted and not yet ended. */
  readonly publishers: ReadonlySet<Publisher>;
  /** Revokes publishers whose route disappeared or now belongs to another Stream (uid). */
  routesChanged(removed: readonly RouteKey[]): void;
  /** Refuses new publishers from now on and revokes every admitted one; resolves once marks are released. */
  drain(reason: string): Promise<void>;
}

const refusal = (reason: RejectReason, detail: string): Admission => ({ ok: false, reason, detail });

export function createPushGate(options: PushGateOptions): ListenerGate {
  const { mirror, metrics, log } = options;
  const live = new Set<AdmittedPublisher>();
  let draining = false;
  const limiter = options.refusalLogLimiter ?? createLogLimiter();

  const decide = async (attempt: PublishAttempt): Promise<Admission> => {
    if (draining) return refusal('draining', 'this listener replica is shutting down');
    const names = parseRouteKey(attempt.route);
    if (names === undefined) return refusal('malformed', 'not a <namespace>/<stream> route');
    const route = mirror.route(attempt.route);
    if (route === undefined) return refusal('not-found', 'no Stream with a push input is registered there');
    if (attempt.protocol === 'rtmp') {
      if (attempt.key === undefined || attempt.key === '') return refusal('bad-key', 'no publish key given');
      const check = await options.verifyKey(route.publishKey, attempt.key);
      if (check === 'busy') return refusal('unavailable', 'too many key checks in progress; retry');
      if (check !== 'match') return refusal('bad-key', 'wrong publish key');
    }
    const session = newRelaySession();
    let lease: Lease;
    try {
      lease = await options.registry.acquire(attempt.route, {
        replica: options.replica,
        protocol: attempt.protocol,
        peer: attempt.peer,
        session,
        since: new Date().toISOString(),
      });
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'already-active')
        return refusal('conflict', 'the stream already has a publisher');
      if (error instanceof RegistryError && error.code === 'not-registered')
        return refusal('not-found', 'the route was unregistered');
      return refusal('unavailable', `registry: ${(error as Error).message}`);
    }
    if (draining) {
      await lease.release().catch(() => undefined);
      return refusal('draining', 'this listener replica is shutting down');
    }
    const protocol = attempt.protocol;
    const relay = new RelayPublisher({
      nc: options.nc,
      subject: subjects(options.subjectPrefix, names.namespace, names.stream).push,
      session,
      start: { protocol, peer: attempt.peer, replica: options.replica },
      counters: {
        bytes: (n) => metrics.relayedBytes.inc({ protocol }, n),
        messages: (n) => metrics.relayedMessages.inc({ protocol }, n),
        failed: () => metrics.relayFailures.inc({ protocol }),
      },
    });
    const release = () =>
      lease.release().catch((error: unknown) => {
        log.warn({ err: error, route: attempt.route }, 'releasing the active mark failed; it expires');
      });
    const publisher = new AdmittedPublisher(attempt, relay, lease.route.uid, release, (p, reason) => {
      live.delete(p);
      metrics.publishers.dec({ protocol });
      log.info({ protocol, peer: attempt.peer, route: attempt.route, session, reason }, 'publisher ended');
    });
    live.add(publisher);
    metrics.publishers.inc({ protocol });
    lease.onLost = (reason) => revoke(publisher, `active mark lost: ${reason}`);
    return { ok: true, publisher };
  };

  const revoke = (publisher: AdmittedPublisher, reason: string) => {
    if (publisher.ended) return;
    try {
      publisher.onRevoked(reason);
    } catch (error) {
      log.warn({ err: error, route: publisher.route }, 'disconnecting a revoked publisher failed');
    }
    publisher.end(reason);
  };

  const count = (
    protocol: PushProtocol,
    reason: RejectReason,
    detail: string,
    peer: string,
    route?: string,
  ) => {
    metrics.countRejection(protocol, reason);
    // Keyed by the encoder's address without its port: a retrying encoder uses a new port each time.
    const host = peer.replace(/:\d+$/, '');
    const held = limiter.admit(`${protocol} ${host} ${route ?? detail} ${reason}`);
    if (held === undefined) return;
    log.info(
      { protocol, peer, route, reason, detail, ...(held > 0 && { repeated: held }) },
      'publisher refused',
    );
  };

  return {
    get draining() {
      return draining;
    },
    publishers: live,
    async admit(attempt) {
      let admission: Admission;
      try {
        admission = await decide(attempt);
      } catch (error) {
        admission = refusal('unavailable', `admission failed: ${(error as Error).message}`);
      }
      const { protocol, peer, route } = attempt;
      if (admission.ok) {
        metrics.accepted.inc({ protocol });
        log.info({ protocol, peer, route, session: admission.publisher.session }, 'publisher accepted');
      } else count(protocol, admission.reason, admission.detail, peer, route);
      return admission;
    },
    refused: (protocol, reason, detail, peer) => count(protocol, reason, detail, peer),
    routesChanged(removed) {
      for (const publisher of [...live]) {
        const current = mirror.route(publisher.route);
        if (current === undefined && removed.includes(publisher.route))
          revoke(publisher, 'stream unregistered');
        else if (current !== undefined && current.uid !== publisher.uid)
          revoke(publisher, 'stream re-created');
      }
    },
    async drain(reason) {
      draining = true;
      const releases = [...live].map((publisher) => {
        revoke(publisher, reason);
        return publisher.released;
      });
      await Promise.all(releases);
    },
  };
}

class AdmittedPublisher implements Publisher {
  readonly route: RouteKey;
  onRevoked: (reason: string) => void = () => undefined;
  ended = false;
  /** Settles once the active mark is released (or releasing it failed). */
  released: Promise<void> = Promise.resolve();

  constructor(
    attempt: PublishAttempt,
    private readonly relayPublisher: RelayPublisher,
    readonly uid: string,
    private readonly release: () => Promise<void>,
    private readonly onEnd: (publisher: AdmittedPublisher, reason: string) => void,
  ) {
    this.route = attempt.route;
  }

  get session(): number {
    return this.relayPublisher.session;
  }

  relay(bytes: Uint8Array): void {
    if (!this.ended) this.relayPublisher.relay(bytes);
  }

  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.relayPublisher.end(reason);
    this.released = this.release();
    this.onEnd(this, reason);
  }
}
