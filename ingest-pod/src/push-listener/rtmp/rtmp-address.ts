// Where an RTMP publisher wants to go: encoders use server `rtmp://<host>/<namespace>` and stream
// key `<stream>?key=<secret>`, so the RTMP app is the namespace and the publish name the stream.
// The older single-segment form (app `live`, name `<stream>`) is accepted while it names one
// known route only.
import { isNamespaceName, isResourceName, parseRouteKey, routeKey } from '@tributary/crds';
import type { RouteKey } from '../../registry/registry-api.js';

export type RtmpAddress =
  | { ok: true; route: RouteKey; key: string | undefined }
  | { ok: false; detail: string };

/** The app of single-segment stream codes. */
export const LIVE_APP = 'live';

export const EXPECTED_SHAPE =
  'expected server rtmp://<host>/<namespace> and stream key <stream>?key=<publish key>';

/**
 * Resolves the app of `connect` and the name of `publish` (query included) to a route and the
 * presented key. Pure; `knownRoutes` is read only for the `live` app.
 */
export function resolveRtmpAddress(
  app: string,
  publishName: string,
  knownRoutes: () => Iterable<RouteKey>,
): RtmpAddress {
  const query = publishName.indexOf('?');
  const name = (query < 0 ? publishName : publishName.slice(0, query)).trim();
  const key = query < 0 ? undefined : queryParam(publishName.slice(query + 1), 'key');
  const namespace = app.trim().replace(/\/$/, ''); // a server URL typed with a trailing slash
  if (namespace === LIVE_APP && isResourceName(name)) return liveRoute(name, key, knownRoutes);
  if (!isNamespaceName(namespace)) {
    return { ok: false, detail: `app ${shown(namespace)} is not a namespace name; ${EXPECTED_SHAPE}` };
  }
  if (!isResourceName(name)) {
    return { ok: false, detail: `stream name ${shown(name)} is not a Stream name; ${EXPECTED_SHAPE}` };
  }
  return { ok: true, route: routeKey(namespace, name), key };
}

function liveRoute(
  stream: string,
  key: string | undefined,
  knownRoutes: () => Iterable<RouteKey>,
): RtmpAddress {
  const namespaces: string[] = [];
  for (const route of knownRoutes()) {
    const parsed = parseRouteKey(route);
    if (parsed?.stream !== stream) continue;
    if (parsed.namespace === LIVE_APP) return { ok: true, route, key };
    namespaces.push(parsed.namespace);
  }
  if (namespaces.length === 1) return { ok: true, route: routeKey(namespaces[0]!, stream), key };
  const use = `publish to rtmp://<host>/<namespace> instead`;
  if (namespaces.length === 0) {
    return { ok: false, detail: `app live: no known Stream is called ${shown(stream)}; ${use}` };
  }
  const list = namespaces.sort().join(', ');
  return { ok: false, detail: `app live: stream ${shown(stream)} is ambiguous (namespaces ${list}); ${use}` };
}

/** The first value of `name` in a query string; `+` stays a plus (keys may be base64). */
function queryParam(query: string, name: string): string | undefined {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if ((eq < 0 ? pair : pair.slice(0, eq)).trim() !== name) continue;
    const raw = eq < 0 ? '' : pair.slice(eq + 1);
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // not percent-encoding after all: take it as typed
    }
    value = value.trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/**
 * A name for a log line or a refusal: quoted, capped, and cut at a `?` so that a key pasted into
 * the wrong field (server URL with `?key=` in it) is not repeated.
 */
function shown(text: string): string {
  const cut = text.split('?')[0] ?? '';
  return JSON.stringify(cut.length > 64 ? `${cut.slice(0, 64)}…` : cut);
}
