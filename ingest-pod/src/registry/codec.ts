// Routes and marks as bytes in NATS KV. Whatever comes out of the bucket is untrusted (anyone with
// write access to the bucket could have put it there), so decoding checks every field and returns
// an Error naming the first one that is wrong instead of throwing.
import { isNamespaceName, isResourceName } from '@tributary/crds';
import type { ActiveMark, PublishKeyHash, RouteEntry } from './registry-api.js';

/** Larger values are refused unread: a route with a sealed passphrase is well under 2 KiB. */
export const MAX_VALUE_BYTES = 16 * 1024;
const MAX_TEXT_LENGTH = 1024;
const MAX_SEALED_LENGTH = 4096;
const MAX_LATENCY_MS = 60_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The route as stored. Throws TypeError for a route this process should never have built. */
export function encodeRouteEntry(route: RouteEntry): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(route));
  const checked = decodeRouteEntry(bytes);
  if (checked instanceof Error) throw new TypeError(`refusing to store an invalid route: ${checked.message}`);
  return bytes;
}

/** The mark as stored. Throws TypeError for an invalid mark. */
export function encodeActiveMark(mark: ActiveMark): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(mark));
  const checked = decodeActiveMark(bytes);
  if (checked instanceof Error) throw new TypeError(`refusing to store an invalid mark: ${checked.message}`);
  return bytes;
}

/**
 * A route read from KV. Unknown fields are dropped (additive changes stay readable; an
 * incompatible change must bump `v`).
 */
export function decodeRouteEntry(bytes: Uint8Array): RouteEntry | Error {
  const object = parseObject(bytes);
  if (object instanceof Error) return object;
  try {
    if (object.v !== 1) throw new Error(`unsupported route version ${JSON.stringify(object.v)}`);
    const namespace = text(object, 'namespace');
    if (!isNamespaceName(namespace)) throw new Error(`namespace ${JSON.stringify(namespace)} is not valid`);
    const stream = text(object, 'stream');
    if (!isResourceName(stream)) throw new Error(`stream ${JSON.stringify(stream)} is not valid`);
    const route: RouteEntry = {
      v: 1,
      namespace,
      stream,
      uid: text(object, 'uid'),
      publishKey: publishKeyHash(object.publishKey),
      owner: text(object, 'owner'),
      registeredAt: text(object, 'registeredAt'),
    };
    if (object.srt !== undefined) route.srt = srtSettings(object.srt);
    return route;
  } catch (error) {
    return error as Error;
  }
}

export function decodeActiveMark(bytes: Uint8Array): ActiveMark | Error {
  const object = parseObject(bytes);
  if (object instanceof Error) return object;
  try {
    const protocol = object.protocol;
    if (protocol !== 'rtmp' && protocol !== 'srt') {
      throw new Error(`protocol ${JSON.stringify(protocol)} is neither "rtmp" nor "srt"`);
    }
    const session = object.session;
    if (!Number.isSafeInteger(session) || (session as number) < 0) {
      throw new Error('session is not a non-negative integer');
    }
    return {
      replica: text(object, 'replica'),
      protocol,
      peer: text(object, 'peer'),
      session: session as number,
      since: text(object, 'since'),
    };
  } catch (error) {
    return error as Error;
  }
}

type JsonObject = Record<string, unknown>;

function parseObject(bytes: Uint8Array): JsonObject | Error {
  if (bytes.length > MAX_VALUE_BYTES)
    return new Error(`value is ${bytes.length} bytes (limit ${MAX_VALUE_BYTES})`);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return new Error('value is not UTF-8 JSON');
  }
  return isObject(value) ? value : new Error('value is not a JSON object');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(object: JsonObject, field: string, limit = MAX_TEXT_LENGTH): string {
  const value = object[field];
  if (typeof value !== 'string' || value.length === 0) throw new Error(`${field} is not a non-empty string`);
  if (value.length > limit) throw new Error(`${field} is longer than ${limit} characters`);
  return value;
}

function base64(object: JsonObject, field: string): string {
  const value = text(object, field);
  if (value.length % 4 !== 0 || !BASE64.test(value)) throw new Error(`${field} is not base64`);
  return value;
}

function publishKeyHash(value: unknown): PublishKeyHash {
  if (!isObject(value)) throw new Error('publishKey is not an object');
  const cost = value.cost;
  if (!Number.isSafeInteger(cost)) throw new Error('publishKey.cost is not an integer');
  try {
    return { salt: base64(value, 'salt'), hash: base64(value, 'hash'), cost: cost as number };
  } catch (error) {
    throw new Error(`publishKey.${(error as Error).message}`);
  }
}

function srtSettings(value: unknown): NonNullable<RouteEntry['srt']> {
  if (!isObject(value)) throw new Error('srt is not an object');
  let sealed: string;
  try {
    sealed = text(value, 'sealed', MAX_SEALED_LENGTH);
  } catch (error) {
    throw new Error(`srt.${(error as Error).message}`);
  }
  const settings: NonNullable<RouteEntry['srt']> = { sealed };
  const { pbkeylen, latencyMs } = value;
  if (pbkeylen !== undefined) {
    if (pbkeylen !== 16 && pbkeylen !== 24 && pbkeylen !== 32)
      throw new Error('srt.pbkeylen is not 16, 24 or 32');
    settings.pbkeylen = pbkeylen;
  }
  if (latencyMs !== undefined) {
    if (
      !Number.isSafeInteger(latencyMs) ||
      (latencyMs as number) < 0 ||
      (latencyMs as number) > MAX_LATENCY_MS
    ) {
      throw new Error(`srt.latencyMs is not an integer in 0..${MAX_LATENCY_MS}`);
    }
    settings.latencyMs = latencyMs as number;
  }
  return settings;
}
