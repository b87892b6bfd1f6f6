// Where the push Registry lives in NATS KV. Ingest pods write routes, push-listener replicas take
// active marks, the operator deletes a deleted Stream's route: all three name things from here.
import { DEFAULT_SUBJECT_PREFIX, subjectPrefixProblem } from './subjects.js';

/**
 * An active mark lives this long after its last heartbeat (the active bucket's max_age), so a
 * crashed replica's publishers can reconnect elsewhere within seconds. Bucket-wide, not per key:
 * works on nats-server 2.9, which has no per-key TTL.
 */
export const ACTIVE_MARK_TTL_MS = 6_000;
/** How often a replica renews its marks: three chances before one expires. */
export const ACTIVE_MARK_HEARTBEAT_MS = 2_000;

export interface RegistryBuckets {
  /** Routes: one per Stream with a push input, written by its ingest pod. */
  routes: string;
  /** Active marks: one per stream with a connected publisher, kept alive by the replica holding it. */
  active: string;
}

/** KV bucket names for a subject prefix (`tributary` -> `tributary_push_routes`, `..._push_active`). */
export function registryBuckets(prefix: string = DEFAULT_SUBJECT_PREFIX): RegistryBuckets {
  const problem = subjectPrefixProblem(prefix);
  if (problem) throw new TypeError(`${problem}: ${JSON.stringify(prefix)}`);
  const base = prefix.replaceAll(/[^A-Za-z0-9_-]/g, '_');
  return { routes: `${base}_push_routes`, active: `${base}_push_active` };
}

/** The KV key of a stream in both buckets: `<namespace>.<stream>` (names are DNS labels, no dots). */
export function registryKvKey(namespace: string, stream: string): string {
  return `${namespace}.${stream}`;
}
