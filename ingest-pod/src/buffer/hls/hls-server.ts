import type { IncomingMessage, ServerResponse } from 'node:http';
import { isNamespaceName, isResourceName } from '@tributary/crds';
import { type BufferHub, unknownStreamError } from '../buffer-hub.js';
import {
  advancePartLimit,
  parseReloadRequest,
  type ReloadDecision,
  reloadDecision,
} from './blocking-reload.js';
import { HlsStream, type HlsStreamOptions } from './hls-stream.js';

export interface HlsServerOptions extends HlsStreamOptions {
  /** A stream's segmenter nobody asked anything of for this long is dropped. */
  idleMs: number;
}

export const DEFAULT_HLS_OPTIONS: HlsServerOptions = {
  targetMs: 2000,
  partTargetMs: 500,
  windowMs: 12_000,
  idleMs: 60_000,
};

/** Blocked requests give up (503) after this many target durations. */
const BLOCK_TARGET_DURATIONS = 3;
/** Complete segments may be cached this long (s): MSNs start over if the buffer restarts. */
const SEGMENT_MAX_AGE_S = 60;

const HLS_PATH = /^\/([^/]+)\/([^/]+)\/(?:(index\.m3u8)|seg-(\d+)\.ts|part-(\d+)\.(\d+)\.ts)$/;

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  type: string,
  cacheControl: string,
  body: string | Uint8Array,
): void {
  if (response.destroyed) return;
  response.writeHead(status, {
    'content-type': type,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    'cache-control': cacheControl,
    'access-control-allow-origin': '*',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function sendError(request: IncomingMessage, response: ServerResponse, status: number, error: string): void {
  send(request, response, status, 'application/json', 'no-store', `${JSON.stringify({ error })}\n`);
}

/** Aborts when the client hangs up, so a blocked request stops waiting for it. */
function hangUp(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => controller.abort());
  return controller.signal;
}

/**
 * HLS and LL-HLS for every stream in the hub: `/<ns>/<stream>/index.m3u8`, `seg-<msn>.ts` and
 * `part-<msn>.<part>.ts`. A stream is segmented from its first HLS request on, and no longer once
 * nobody asked for `idleMs`.
 */
export class HlsServer {
  readonly #hub: BufferHub;
  readonly #options: HlsServerOptions;
  readonly #streams = new Map<string, HlsStream>();
  readonly #sweep: NodeJS.Timeout;

  constructor(hub: BufferHub, options: HlsServerOptions = DEFAULT_HLS_OPTIONS) {
    this.#hub = hub;
    this.#options = options;
    this.#sweep = setInterval(() => this.dropIdle(Date.now()), Math.min(10_000, options.idleMs));
    this.#sweep.unref();
  }

  /** Streams being segmented now. */
  get active(): number {
    return this.#streams.size;
  }

  /** Serves `path` if it is an HLS path (true), else leaves the response alone (false). */
  serve(request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams): boolean {
    const match = HLS_PATH.exec(path);
    if (!match || !isNamespaceName(match[1]!) || !isResourceName(match[2]!)) return false;
    const [, namespace, name, playlist, segmentMsn, partMsn, partIndex] = match;
    const stream = this.#stream(namespace!, name!, Date.now());
    if (stream === undefined) {
      sendError(request, response, 404, unknownStreamError(namespace!, name!));
    } else if (playlist !== undefined) {
      void this.#servePlaylist(request, response, stream, query);
    } else if (segmentMsn !== undefined) {
      this.#serveSegment(request, response, stream, Number(segmentMsn), `${namespace}/${name}`);
    } else {
      void this.#servePart(
        request,
        response,
        stream,
        Number(partMsn),
        Number(partIndex),
        `${namespace}/${name}`,
      );
    }
    return true;
  }

  /** Drops the segmenters nobody asked for in `idleMs`, and those of streams the hub forgot. */
  dropIdle(now: number): void {
    for (const [key, stream] of this.#streams) {
      const [namespace, name] = key.split('/') as [string, string];
      const gone = this.#hub.get(namespace, name)?.ring !== stream.ring;
      if (gone || now - stream.lastRequestAt > this.#options.idleMs) {
        stream.stop();
        this.#streams.delete(key);
      }
    }
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const stream of this.#streams.values()) stream.stop();
    this.#streams.clear();
  }

  #stream(namespace: string, name: string, now: number): HlsStream | undefined {
    const buffered = this.#hub.get(namespace, name);
    if (buffered === undefined) return undefined;
    const key = `${namespace}/${name}`;
    let stream = this.#streams.get(key);
    if (stream?.ring !== buffered.ring) {
      stream?.stop();
      stream = new HlsStream(buffered.ring, this.#options, now);
      stream.start();
      this.#streams.set(key, stream);
    }
    stream.lastRequestAt = now;
    return stream;
  }

  #blockMs(stream: HlsStream): number {
    return BLOCK_TARGET_DURATIONS * stream.targetDuration * 1000;
  }

  async #servePlaylist(
    request: IncomingMessage,
    response: ServerResponse,
    stream: HlsStream,
    query: URLSearchParams,
  ): Promise<void> {
    const reload = parseReloadRequest(query);
    if (reload !== undefined && 'error' in reload) {
      sendError(request, response, 400, reload.error);
      return;
    }
    const limit = advancePartLimit(stream.partTarget);
    const decide = (): ReloadDecision => {
      // A plain request waits for the first part, so the playlist it gets lists something.
      if (reload === undefined) return stream.listsMedia ? 'ready' : 'wait';
      const edge = stream.edge;
      return edge === undefined ? 'wait' : reloadDecision(edge, reload, limit);
    };
    if (reload !== undefined && decide() === 'bad-request') {
      const asked = `_HLS_msn=${reload.msn}${reload.part === undefined ? '' : ` _HLS_part=${reload.part}`}`;
      const edge = stream.edge;
      sendError(
        request,
        response,
        400,
        `${asked} is too far past the live edge (segment ${edge?.msn}, ${edge?.parts} parts complete): reload the playlist without them`,
      );
      return;
    }
    const ready = await stream.waitUntil(() => decide() === 'ready', this.#blockMs(stream), hangUp(response));
    if (!ready) {
      sendError(request, response, 503, 'the stream produced nothing new in time: retry the playlist');
      return;
    }
    // A blocking reload names what it waited for, so its answer may be shared by caches briefly.
    const cacheControl = reload === undefined ? 'no-store' : `public, max-age=${stream.targetDuration}`;
    send(request, response, 200, PLAYLIST_TYPE, cacheControl, stream.playlist());
  }

  #serveSegment(
    request: IncomingMessage,
    response: ServerResponse,
    stream: HlsStream,
    msn: number,
    key: string,
  ): void {
    const segment = stream.segment(msn);
    if (segment?.complete) {
      send(request, response, 200, 'video/mp2t', `public, max-age=${SEGMENT_MAX_AGE_S}`, segment.data);
      return;
    }
    sendError(
      request,
      response,
      404,
      segment === undefined
        ? `segment ${msn} of ${key} is not in the window (it slid out, or never existed): reload the playlist`
        : `segment ${msn} of ${key} is not complete yet: use its parts, or wait for the playlist to list it`,
    );
  }

  async #servePart(
    request: IncomingMessage,
    response: ServerResponse,
    stream: HlsStream,
    msn: number,
    index: number,
    key: string,
  ): Promise<void> {
    const edge = stream.edge;
    // The part the playlist hints at is held until it is complete.
    const hinted = edge !== undefined && msn === edge.msn && index === edge.parts;
    if (hinted) {
      const complete = () => stream.part(msn, index)?.complete === true;
      if (!(await stream.waitUntil(complete, this.#blockMs(stream), hangUp(response)))) {
        sendError(request, response, 503, `part ${msn}.${index} of ${key} did not complete in time: retry`);
        return;
      }
    }
    const part = stream.part(msn, index);
    if (part?.complete) {
      send(request, response, 200, 'video/mp2t', `public, max-age=${SEGMENT_MAX_AGE_S}`, part.data);
      return;
    }
    sendError(
      request,
      response,
      404,
      `part ${msn}.${index} of ${key} is not in the window (slid out, or not hinted yet): reload the playlist`,
    );
  }
}
