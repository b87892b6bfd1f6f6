import { classify, type Stream } from '@tributary/crds';

/**
 * Held on a Stream with a push input while its route may be in the NATS registry: the Stream is
 * only let go once the operator deleted the route, so the listener disconnects its publisher and
 * refuses it afterwards.
 */
export const PUSH_ROUTE_FINALIZER = 'tributary.io/push-route';

/** True when one of the Stream's inputs is published to the push-listener. */
export function hasPushInput(stream: Stream): boolean {
  return stream.spec.inputs.some((input) => {
    const kind = classify(input.url);
    return kind.ok && kind.mode === 'push';
  });
}

export interface PushRouteSituation {
  pushInput: boolean;
  /** deletionTimestamp is set. */
  deleting: boolean;
  hasFinalizer: boolean;
  /** The operator has a NATS URL; without one no route can be cleaned (and none is guarded). */
  natsConfigured: boolean;
}

export type PushRouteStep =
  | { kind: 'none' }
  /** Add the finalizer before the ingest pod can register a route. */
  | { kind: 'add-finalizer' }
  /** Delete the route and its active mark, then remove the finalizer. */
  | { kind: 'clean-up'; why: 'deleted' | 'no-push-input' }
  /** Remove the finalizer without touching NATS: the operator has no NATS to clean. */
  | { kind: 'drop-finalizer'; why: 'no-nats' };

/** What to do about a Stream's push route and finalizer. Pure. */
export function decidePushRoute(s: PushRouteSituation): PushRouteStep {
  if (s.deleting || !s.pushInput) {
    if (!s.hasFinalizer) return { kind: 'none' };
    if (!s.natsConfigured) return { kind: 'drop-finalizer', why: 'no-nats' };
    return { kind: 'clean-up', why: s.deleting ? 'deleted' : 'no-push-input' };
  }
  if (s.natsConfigured && !s.hasFinalizer) return { kind: 'add-finalizer' };
  return { kind: 'none' };
}

/** The Stream's finalizers with ours added or removed, or undefined when nothing changes. */
export function finalizersWith(
  current: readonly string[] | undefined,
  present: boolean,
): string[] | undefined {
  const list = current ?? [];
  const has = list.includes(PUSH_ROUTE_FINALIZER);
  if (has === present) return undefined;
  return present ? [...list, PUSH_ROUTE_FINALIZER] : list.filter((f) => f !== PUSH_ROUTE_FINALIZER);
}
