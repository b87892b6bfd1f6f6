import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isNamespaceName, isResourceName } from '@tributary/crds';
import { type BufferHub, unknownStreamError } from './buffer-hub.js';
import type { Asset } from './console/console-assets.js';
import type { ConsoleFeed } from './console/console-feed.js';
import { DEFAULT_HLS_OPTIONS, HlsServer, type HlsServerOptions } from './hls/hls-server.js';
import { LiveTsFeed } from './live-ts-feed.js';

// Not an ES import of node:http: see @tributary/runtime's health-server.ts.
const { createServer } = process.getBuiltinModule('node:http');

export interface BufferHttpOptions {
  hub: BufferHub;
  host: string;
  port: number;
  /** Bytes a viewer may have waiting on its socket before it skips to a later keyframe. */
  maxQueuedBytes: number;
  /** HLS segment and part targets, and when an unwatched stream stops being segmented. */
  hls?: HlsServerOptions;
  /** The web console: `/`, its files under `/console/`, and its live feed. */
  console?: { feed: ConsoleFeed; assets: ReadonlyMap<string, Asset> };
}

export interface BufferHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

const STREAM_TS = /^\/([^/]+)\/([^/]+)\.ts$/;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
  });
  response.end(`${JSON.stringify(body)}\n`);
}

/** The console's page and files, its live feed, and its view as JSON; false for other paths. */
function serveConsole(
  console: NonNullable<BufferHttpOptions['console']>,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): boolean {
  if (path === '/console/feed') {
    console.feed.attach(response);
    return true;
  }
  if (path === '/console/streams') {
    sendJson(response, 200, { streams: console.feed.streams() });
    return true;
  }
  const asset = console.assets.get(path);
  if (asset === undefined) return false;
  response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
  response.end(request.method === 'HEAD' ? undefined : asset.body);
  return true;
}

/**
 * The buffer pod's media server: `GET /streams` (JSON), `GET /<namespace>/<stream>.ts` (live
 * MPEG-TS from the latest keyframe, until the viewer hangs up), and (LL-)HLS under
 * `/<namespace>/<stream>/index.m3u8`.
 */
export async function startBufferHttp(options: BufferHttpOptions): Promise<BufferHttpServer> {
  const { hub } = options;
  const hls = new HlsServer(hub, options.hls ?? DEFAULT_HLS_OPTIONS);

  const serveTs = (request: IncomingMessage, response: ServerResponse, namespace: string, name: string) => {
    const stream = hub.get(namespace, name);
    if (stream === undefined) {
      sendJson(response, 404, {
        error: unknownStreamError(namespace, name),
      });
      return;
    }
    response.writeHead(200, {
      'content-type': 'video/mp2t',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const feed = new LiveTsFeed(stream.ring, response, { maxQueuedBytes: options.maxQueuedBytes });
    stream.tsViewers++;
    response.once('close', () => {
      feed.stop();
      stream.tsViewers--;
    });
    feed.start();
  };

  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { error: 'method not allowed' });
      return;
    }
    const [path = '/', query = ''] = (request.url ?? '/').split('?');
    if (path === '/streams') {
      const streams = [...hub.streams]
        .map((s) => s.summary())
        .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
      sendJson(response, 200, { streams });
      return;
    }
    if (options.console !== undefined && serveConsole(options.console, request, response, path)) return;
    if (hls.serve(request, response, path, new URLSearchParams(query))) return;
    const ts = STREAM_TS.exec(path);
    if (ts && isNamespaceName(ts[1]!) && isResourceName(ts[2]!)) {
      serveTs(request, response, ts[1]!, ts[2]!);
      return;
    }
    sendJson(response, 404, {
      error: `not found: ${path} (try /streams, /<namespace>/<stream>.ts or /<namespace>/<stream>/index.m3u8)`,
    });
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = once(server, 'close');
      hls.close();
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
