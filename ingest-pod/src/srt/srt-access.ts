import type { SrtAccessTable } from './srt-messages.js';

export const SRT_REJX_BAD_REQUEST = 1400;
export const SRT_REJX_FORBIDDEN = 1403;
export const SRT_REJX_NOTFOUND = 1404;
export const SRT_REJX_CONFLICT = 1409;

/**
 * Pure: the resource a stream id names, by the same conventions as @tributary/crds'
 * parseSrtStreamId (`#!::r=<resource>,…`, `publish:<resource>[:…]`, `read:…`, or the plain id; a
 * test keeps the two in step). Not imported from there: this runs in the SRT engine, whose bundle
 * would otherwise carry the whole API package (typebox, yaml), about 400 KB.
 */
export function streamResource(streamId: string): string {
  if (streamId.startsWith('#!::')) {
    let resource = '';
    for (const pair of streamId.slice(4).split(',')) {
      const eq = pair.indexOf('=');
      if (eq >= 0 && pair.slice(0, eq).trim() === 'r') resource = pair.slice(eq + 1).trim();
    }
    return resource;
  }
  const mode = /^(publish|read):/.exec(streamId)?.[0];
  return mode === undefined ? streamId : (streamId.slice(mode.length).split(':')[0] ?? '');
}

export type AccessDecision =
  | { accept: true; key: string; passphrase?: string; exclusive: boolean }
  | { accept: false; key: string; code: number };

/**
 * Pure: why a listener that only receives refuses `streamId` whatever its table says, if it does:
 * 1403 when it asks to receive (`m=request`, `read:…`), 1400 when it uses the `#!::` or
 * `publish:` syntax without naming a resource (or with a `#!::` pair that has no `=`).
 */
export function streamIdProblem(streamId: string): number | undefined {
  if (streamId.startsWith('#!::')) {
    let resource = '';
    let mode = '';
    for (const pair of streamId.slice(4).split(',')) {
      const eq = pair.indexOf('=');
      if (eq < 0 && pair.trim() !== '') return SRT_REJX_BAD_REQUEST;
      const key = pair.slice(0, eq).trim();
      if (key === 'r') resource = pair.slice(eq + 1).trim();
      else if (key === 'm') mode = pair.slice(eq + 1).trim();
    }
    if (mode === 'request' || mode === 'bidirectional') return SRT_REJX_FORBIDDEN;
    return resource === '' ? SRT_REJX_BAD_REQUEST : undefined;
  }
  if (streamId.startsWith('read:')) return SRT_REJX_FORBIDDEN;
  if (streamId.startsWith('publish:') && streamResource(streamId) === '') return SRT_REJX_BAD_REQUEST;
  return undefined;
}

/**
 * Pure: what a listener answers to a handshake carrying `streamId`. The exact stream id is looked
 * up first, then (unless `streamIdProblem` refuses the id) its resource; `connected(key)` says how
 * many accepted callers with that key are still connected (for exclusive entries).
 */
export function decideAccess(
  table: SrtAccessTable,
  streamId: string,
  connected: (key: string) => number,
): AccessDecision {
  const resource = streamResource(streamId);
  const exact = Object.hasOwn(table.streams, streamId);
  const problem = exact ? undefined : streamIdProblem(streamId);
  if (problem !== undefined) return { accept: false, key: resource, code: problem };
  const key = exact ? streamId : resource;
  const entry = Object.hasOwn(table.streams, key) ? table.streams[key] : undefined;
  if (entry === undefined) return { accept: false, key, code: table.otherwise ?? SRT_REJX_NOTFOUND };
  if ('reject' in entry) return { accept: false, key, code: entry.reject };
  const exclusive = entry.exclusive === true;
  if (exclusive && connected(key) > 0) return { accept: false, key, code: SRT_REJX_CONFLICT };
  const decision: AccessDecision = { accept: true, key, exclusive };
  if (entry.passphrase !== undefined) decision.passphrase = entry.passphrase;
  return decision;
}
