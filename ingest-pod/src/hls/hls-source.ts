import { setTimeout as sleep } from 'node:timers/promises';
import { redactUrl } from '@tributary/crds';
import { clampTargetDurationS, clampTimerMs } from '../limits.js';
import type { ByteSource } from '../reader/byte-source.js';
import { classifyFailure } from '../reader/error-classification.js';
import { HttpStatusError, httpGet, originOf, readWholeBody } from '../reader/http-get.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { ReaderEvent } from '../reader/reader-api.js';
import { type MediaPlaylist, type MediaSegment, PlaylistError, parsePlaylist } from './playlist.js';
import { withRetries } from './retry.js';
import {
  chooseVariant,
  hlsStallTimeoutMs,
  type PlanState,
  planSegments,
  reloadIntervalMs,
} from './segment-plan.js';

export interface HlsOptions {
  url: string;
  headers?: Record<string, string>;
  /** Per playlist request (seed: 15 s or the input's timeoutSeconds). */
  playlistTimeoutMs: number;
  /** Per segment download, body included (seed: max(4 × playlist timeout, 60 s)). */
  segmentTimeoutMs: number;
  insecureTLS?: boolean;
  /** Send `headers` to every host playlists name, not only to the origin of `url`. */
  sendHeadersToAllHosts?: boolean;
  onEvent?: (event: ReaderEvent) => void;
  maxPlaylistBytes?: number;
  maxSegmentBytes?: number;
  playlistRetryDelaysMs?: readonly number[];
  segmentRetryDelaysMs?: readonly number[];
  /** Floor of the reload interval. */
  minReloadMs?: number;
}

export const HLS_DEFAULTS = {
  maxPlaylistBytes: 4 * 1024 * 1024,
  maxSegmentBytes: 64 * 1024 * 1024,
  playlistRetryDelaysMs: [500, 1000, 2000, 4000, 8000],
  segmentRetryDelaysMs: [500, 1000],
  minReloadMs: 500,
} as const;

/** Statuses a playlist or segment request is not repeated for; other failures are (5xx, 429, resets). */
const NO_RETRY_STATUSES = new Set([401, 403, 404, 410]);

function retryInPlace(err: unknown): boolean {
  if (err instanceof HttpStatusError) return !NO_RETRY_STATUSES.has(err.status);
  if (err instanceof ReaderError) return err.retriable;
  return !classifyFailure(err).permanent;
}

/**
 * HLS (MPEG-TS segments) as a ByteSource: picks the highest-bandwidth variant of a master, joins a
 * live playlist near its edge, reloads it every half target duration, and hands out each new
 * segment's bytes. ENDLIST ends the stream once its segments are read.
 */
export class HlsSource implements ByteSource {
  readonly dropped = 0;
  private closing = new AbortController();
  /** Aborts on close() or when the caller's open signal aborts. */
  private signal: AbortSignal = this.closing.signal;
  private mediaUrl: string;
  private queue: MediaSegment[] = [];
  private plan: PlanState | undefined;
  private ended = false;
  private targetDurationS = 0;
  private lastLoadAt = 0;

  constructor(private readonly options: HlsOptions) {
    this.mediaUrl = options.url;
  }

  /** Three target durations (at least 6 s): the usual silence between segments is not a stall. */
  get stallTimeoutMs(): number {
    return hlsStallTimeoutMs(this.targetDurationS);
  }

  async open(signal: AbortSignal): Promise<void> {
    await this.close();
    this.closing = new AbortController();
    this.signal = AbortSignal.any([signal, this.closing.signal]);
    this.queue = [];
    this.plan = undefined;
    this.ended = false;
    this.mediaUrl = this.options.url;
    const first = await this.loadPlaylist(true);
    this.accept(first);
  }

  async read(): Promise<Uint8Array[] | null> {
    try {
      for (;;) {
        const segment = this.queue.shift();
        if (segment !== undefined) {
          const body = await this.fetchSegment(segment);
          if (body !== undefined && body.length > 0) return [body];
          continue;
        }
        if (this.ended) return null;
        const interval = reloadIntervalMs(
          this.targetDurationS,
          this.options.minReloadMs ?? HLS_DEFAULTS.minReloadMs,
        );
        const wait = this.lastLoadAt + interval - Date.now();
        if (wait > 0) await sleep(clampTimerMs(wait), undefined, { signal: this.signal });
        this.accept(await this.loadPlaylist(false));
      }
    } catch (err) {
      if (this.signal.aborted) return null;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  private emit(event: ReaderEvent): void {
    this.options.onEvent?.(event);
  }

  private accept(playlist: MediaPlaylist): void {
    const targetDurationS = clampTargetDurationS(playlist.targetDuration);
    if (targetDurationS !== this.targetDurationS && targetDurationS > 0) {
      this.emit({ type: 'target-duration', ms: targetDurationS * 1000 });
    }
    this.targetDurationS = targetDurationS;
    const plan = planSegments(this.plan, playlist);
    if (plan.reset !== undefined) {
      this.emit({ type: 'playlist-reset', reason: plan.reset });
      this.queue = [];
    }
    if (plan.missed > 0) this.emit({ type: 'segments-missed', count: plan.missed });
    this.plan = plan.state;
    this.queue.push(...plan.segments);
    this.ended = playlist.ended;
  }

  /** Loads the media playlist (following a master to its best variant on the first load). */
  private async loadPlaylist(first: boolean): Promise<MediaPlaylist> {
    const load = async (): Promise<MediaPlaylist> => {
      let url = first ? this.options.url : this.mediaUrl;
      for (let depth = 0; depth < 4; depth++) {
        const { text, finalUrl } = await this.fetchText(url);
        this.lastLoadAt = Date.now();
        const playlist = this.parse(text, finalUrl);
        if (playlist.kind === 'media') {
          if (playlist.unsupported !== undefined) {
            throw new ReaderError(
              `HLS ${playlist.unsupported} is not supported (${redactUrl(finalUrl)})`,
              false,
            );
          }
          this.mediaUrl = url;
          return this.absolutise(playlist, finalUrl);
        }
        const variant = chooseVariant(playlist);
        if (variant === undefined)
          throw new ReaderError(`master playlist ${redactUrl(finalUrl)} has no variants`, false);
        url = new URL(variant.uri, finalUrl).href;
      }
      throw new ReaderError(`master playlists nested too deep at ${redactUrl(this.options.url)}`, false);
    };
    return withRetries(load, {
      delaysMs: this.options.playlistRetryDelaysMs ?? HLS_DEFAULTS.playlistRetryDelaysMs,
      retryInPlace,
      signal: this.signal,
      onRetry: (attempt, err) =>
        this.emit({ type: 'playlist-retry', attempt, reason: (err as Error).message }),
    });
  }

  private parse(text: string, url: string) {
    try {
      return parsePlaylist(text);
    } catch (err) {
      if (!(err instanceof PlaylistError)) throw err;
      throw new ReaderError(`malformed playlist ${redactUrl(url)}: ${err.message}`, !err.notAPlaylist, {
        cause: err,
      });
    }
  }

  private absolutise(playlist: MediaPlaylist, base: string): MediaPlaylist {
    const segments = playlist.segments.map((s) => {
      try {
        return { ...s, uri: new URL(s.uri, base).href };
      } catch {
        return s;
      }
    });
    return { ...playlist, segments };
  }

  /** The input's headers, for its own origin only unless the input opted in to every host. */
  private headerOptions(): { headers?: Record<string, string>; headersOrigin?: string } {
    const { headers, url, sendHeadersToAllHosts } = this.options;
    if (headers === undefined) return {};
    const origin = sendHeadersToAllHosts === true ? undefined : (originOf(url) ?? url);
    return origin === undefined ? { headers } : { headers, headersOrigin: origin };
  }

  private async fetchText(url: string): Promise<{ text: string; finalUrl: string }> {
    const o = this.options;
    const signal = AbortSignal.any([this.signal, AbortSignal.timeout(o.playlistTimeoutMs)]);
    const res = await httpGet(url, {
      headerTimeoutMs: o.playlistTimeoutMs,
      signal,
      ...this.headerOptions(),
      ...(o.insecureTLS !== undefined ? { insecureTLS: o.insecureTLS } : {}),
    });
    const body = await readWholeBody(res, o.maxPlaylistBytes ?? HLS_DEFAULTS.maxPlaylistBytes, 'playlist');
    return { text: body.toString('utf8'), finalUrl: res.url };
  }

  /** The segment's bytes, or undefined when it was skipped (the event says why). */
  private async fetchSegment(segment: MediaSegment): Promise<Uint8Array | undefined> {
    const o = this.options;
    const download = async () => {
      if (!/^https?:/i.test(segment.uri))
        throw new ReaderError(`segment URI is not http(s): ${redactUrl(segment.uri)}`, false);
      const signal = AbortSignal.any([this.signal, AbortSignal.timeout(o.segmentTimeoutMs)]);
      const res = await httpGet(segment.uri, {
        headerTimeoutMs: o.segmentTimeoutMs,
        signal,
        ...this.headerOptions(),
        ...(o.insecureTLS !== undefined ? { insecureTLS: o.insecureTLS } : {}),
      });
      return readWholeBody(res, o.maxSegmentBytes ?? HLS_DEFAULTS.maxSegmentBytes, 'segment');
    };
    try {
      return await withRetries(download, {
        delaysMs: o.segmentRetryDelaysMs ?? HLS_DEFAULTS.segmentRetryDelaysMs,
        retryInPlace,
        signal: this.signal,
      });
    } catch (err) {
      if (this.signal.aborted) throw err;
      // Every segment would fail the same way: report it instead of skipping the whole stream.
      const failure = classifyFailure(err);
      const denied = failure.status === 401 || failure.status === 403;
      if (denied || (failure.permanent && (failure.kind === 'tls' || failure.kind === 'dns'))) throw err;
      this.emit({ type: 'segment-skipped', uri: redactUrl(segment.uri), reason: (err as Error).message });
      return undefined;
    }
  }
}
