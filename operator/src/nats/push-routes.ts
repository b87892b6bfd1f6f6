import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { registryBuckets, registryKvKey } from '@tributary/crds';

/** What removing a Stream's route found. */
export type RouteRemoval =
  /** Our route was deleted (and the stream's active mark with it). */
  | 'removed'
  /** There was no route; a leftover active mark was deleted. */
  | 'absent'
  /** The route belongs to another Stream of that name (another uid): left alone. */
  | 'not-ours';

/** NATS or JetStream could not be reached or refused: retry later. */
export class PushRoutesUnavailable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PushRoutesUnavailable';
  }
}

// JetStream API error codes (nats-server): the bucket's stream does not exist; a CAS delete lost.
const STREAM_NOT_FOUND = 10059;
const WRONG_LAST_SEQUENCE = 10071;
const CAS_ATTEMPTS = 3;

const apiCode = (error: unknown) => (error as { code?: unknown }).code;
const isMissingBucket = (error: unknown) => apiCode(error) === STREAM_NOT_FOUND;
/** Nobody answers JetStream API requests: JetStream is off, so no bucket (and no route) exists. */
const isJetStreamOff = (error: unknown) => (error as Error).name === 'JetStreamNotEnabled';

/**
 * The operator's side of the push registry: deleting a deleted Stream's route and active mark from
 * NATS KV, on the operator's own NATS connection. Only a route whose uid is the Stream's is deleted,
 * with a compare-and-set on the revision read, so a route registered meanwhile is never lost.
 */
export class PushRoutes {
  readonly #connection: () => NatsConnection | undefined;
  readonly #buckets: { routes: string; active: string };

  constructor(connection: () => NatsConnection | undefined, subjectPrefix: string) {
    this.#connection = connection;
    this.#buckets = registryBuckets(subjectPrefix);
  }

  async remove(namespace: string, stream: string, uid: string): Promise<RouteRemoval> {
    const nc = this.#connection();
    if (!nc || nc.isClosed()) throw new PushRoutesUnavailable('not connected to NATS');
    const key = registryKvKey(namespace, stream);
    try {
      const kvm = new Kvm(nc);
      const outcome = await this.#removeRoute(await kvm.open(this.#buckets.routes), key, uid);
      if (outcome !== 'not-ours') await deleteKey(await kvm.open(this.#buckets.active), key);
      return outcome;
    } catch (error) {
      if (isJetStreamOff(error)) return 'absent';
      if (error instanceof PushRoutesUnavailable) throw error;
      throw new PushRoutesUnavailable(`NATS KV: ${(error as Error).message}`, { cause: error });
    }
  }

  async #removeRoute(routes: KV, key: string, uid: string): Promise<RouteRemoval> {
    for (let attempt = 1; ; attempt++) {
      let entry: Awaited<ReturnType<KV['get']>>;
      try {
        entry = await routes.get(key);
      } catch (error) {
        if (isMissingBucket(error)) return 'absent';
        throw error;
      }
      if (entry?.operation !== 'PUT') return 'absent';
      if (routeUid(entry.string()) !== uid) return 'not-ours';
      try {
        await routes.delete(key, { previousSeq: entry.revision });
        return 'removed';
      } catch (error) {
        // Rewritten between the read and the delete: read it again and decide again.
        if (apiCode(error) !== WRONG_LAST_SEQUENCE || attempt >= CAS_ATTEMPTS) throw error;
      }
    }
  }
}

async function deleteKey(bucket: KV, key: string): Promise<void> {
  try {
    await bucket.delete(key);
  } catch (error) {
    if (!isMissingBucket(error)) throw error;
  }
}

/** The `uid` of a stored route; undefined when it is not a route (never ours). */
function routeUid(json: string): string | undefined {
  try {
    const uid = (JSON.parse(json) as { uid?: unknown }).uid;
    return typeof uid === 'string' && uid !== '' ? uid : undefined;
  } catch {
    return undefined;
  }
}
