// Create-or-bind of the two registry buckets. Another process (a replica, an ingest pod, the
// operator) may be creating them at the same moment, possibly with other settings.
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { registryBuckets } from '@tributary/crds';
import { type RegistryLogger, unavailable } from './kv-support.js';

export interface RegistryKv {
  routes: KV;
  active: KV;
  /** The active bucket's real max_age, which may differ from the one asked for if it existed. */
  markTtlMs: number;
}

export async function openBuckets(
  nc: NatsConnection,
  prefix: string | undefined,
  markTtlMs: number,
  log: RegistryLogger,
): Promise<RegistryKv> {
  const names = registryBuckets(prefix);
  const kvm = new Kvm(nc);
  const routes = await createOrBind(kvm, names.routes, { history: 1 });
  const active = await createOrBind(kvm, names.active, { history: 1, ttl: markTtlMs });
  let actualTtl: number;
  try {
    actualTtl = (await active.status()).ttl;
  } catch (error) {
    throw unavailable(`reading the settings of bucket ${names.active}`, error);
  }
  if (!actualTtl) {
    throw new Error(
      `bucket ${names.active} has no max_age: active marks of a crashed replica would never expire; ` +
        'delete the bucket so it is created again',
    );
  }
  if (actualTtl !== markTtlMs) {
    log.warn(
      { bucket: names.active, maxAgeMs: actualTtl, requestedMs: markTtlMs },
      'active bucket exists with another max_age; using it',
    );
  }
  return { routes, active, markTtlMs: actualTtl };
}

async function createOrBind(kvm: Kvm, name: string, limits: { history: number; ttl?: number }): Promise<KV> {
  try {
    return await kvm.create(name, limits);
  } catch (createError) {
    // Lost a creation race, or the bucket exists with other settings: use it as it is.
    try {
      const kv = await kvm.open(name);
      await kv.status();
      return kv;
    } catch {
      throw unavailable(`creating or opening bucket ${name}`, createError);
    }
  }
}
