// Pure: the SRT listener's handshake-time access table, from the registry mirror. libsrt answers
// handshakes from it without waiting on anything, so it is rebuilt on every mirror change.
import { parseRouteKey } from '@tributary/crds';
import type { ActiveMark, RouteEntry, RouteKey } from '../../registry/registry-api.js';
import {
  SRT_REJX_BAD_REQUEST,
  SRT_REJX_CONFLICT,
  SRT_REJX_FORBIDDEN,
  SRT_REJX_NOTFOUND,
  streamResource,
} from '../../srt/srt-access.js';
import type { SrtAccessEntry, SrtAccessTable } from '../../srt/srt-messages.js';
import type { RejectReason } from '../push-gate-api.js';

/** A route's SRT passphrase in clear, or why there is none to use. */
export type PassphraseLookup = { passphrase: string } | { problem: string };

export interface AccessTableInput {
  routes: ReadonlyMap<RouteKey, RouteEntry>;
  active: (key: RouteKey) => ActiveMark | undefined;
  /** This listener replica's name: its own SRT publishers are held off by `exclusive` instead. */
  replica: string;
  /** The opened passphrase of a route with `srt.sealed`. */
  passphrase: (key: RouteKey, route: RouteEntry) => PassphraseLookup;
}

/**
 * Routes with an SRT passphrase: accepted with it, one publisher at a time. Routes whose mark is
 * held elsewhere (another replica, or RTMP here): 1409. Routes without a passphrase: 1403.
 * Everything else: 1404. Per-stream latency and key length are not set here: the listen hook only
 * sets the passphrase (latency is listener-wide, the key length follows the caller's).
 */
export function buildAccessTable(input: AccessTableInput): SrtAccessTable {
  const streams: Record<string, SrtAccessEntry> = {};
  for (const [key, route] of input.routes) {
    if (route.srt?.sealed === undefined) {
      streams[key] = { reject: SRT_REJX_FORBIDDEN };
      continue;
    }
    const mark = input.active(key);
    if (mark !== undefined && (mark.replica !== input.replica || mark.protocol !== 'srt')) {
      streams[key] = { reject: SRT_REJX_CONFLICT };
      continue;
    }
    const found = input.passphrase(key, route);
    streams[key] =
      'passphrase' in found
        ? { passphrase: found.passphrase, exclusive: true }
        : { reject: SRT_REJX_FORBIDDEN };
  }
  return { streams, otherwise: SRT_REJX_NOTFOUND };
}

/** libsrt's own rejections of a caller with a wrong passphrase, or none where one is required. */
const SRT_REJ_BADSECRET = 10;
const SRT_REJ_UNSECURE = 11;

/**
 * The rejection label of a refused handshake. The access table's codes arrive through the engine's
 * `onRefused`; libsrt's passphrase rejections would too, if the engine reported them (it does not
 * yet: they happen after the listen hook accepted).
 */
export function refusalReason(streamId: string, code: number): RejectReason {
  switch (code) {
    case SRT_REJ_BADSECRET:
    case SRT_REJ_UNSECURE:
      return 'bad-passphrase';
    case SRT_REJX_BAD_REQUEST:
      return 'malformed';
    case SRT_REJX_CONFLICT:
      return 'conflict';
    case SRT_REJX_NOTFOUND:
      return parseRouteKey(streamResource(streamId)) === undefined ? 'malformed' : 'not-found';
    default:
      return 'forbidden';
  }
}
