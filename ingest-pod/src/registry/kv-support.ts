// Small pieces shared by the registry's parts: key mapping, error classification, the logger shape.
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { parseRouteKey, registryKvKey, routeKey } from '@tributary/crds';
import { RegistryError, type RouteKey } from './registry-api.js';

/** What the registry needs of a logger (pino's Logger fits). Values logged are never secrets. */
export interface RegistryLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: RegistryLogger = { debug() {}, warn() {}, error() {} };

/** The KV key (`ns.stream`) of a route key (`ns/stream`); undefined when the route key is malformed. */
export function kvKeyOf(key: RouteKey): string | undefined {
  const parsed = parseRouteKey(key);
  return parsed && registryKvKey(parsed.namespace, parsed.stream);
}

/** The route key of a KV key; undefined for keys no registry writes. */
export function routeKeyOf(kvKey: string): RouteKey | undefined {
  const parts = kvKey.split('.');
  if (parts.length !== 2) return undefined;
  const key = routeKey(parts[0]!, parts[1]!);
  return parseRouteKey(key) ? key : undefined;
}

export function notRegistered(key: RouteKey, why?: string): RegistryError {
  const suffix = why === undefined ? '' : ` (${why})`;
  return new RegistryError('not-registered', `no stream registered for ${key}${suffix}`);
}

/** True when a write failed its expected-last-sequence check: someone else changed the key. */
export function isCasFailure(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** Wraps a NATS/JetStream failure; RegistryErrors and TypeErrors (our own bugs) pass through. */
export function unavailable(what: string, error: unknown): Error {
  if (error instanceof RegistryError || error instanceof TypeError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new RegistryError('unavailable', `${what}: ${detail}`, { cause: error });
}
