import { redactUrl } from '@tributary/crds';
import type { ByteSource } from '../reader/byte-source.js';
import { httpGet, networkError, originOf } from '../reader/http-get.js';
import { ReaderError } from '../reader/packet-reader.js';

export interface HttpTsOptions {
  url: string;
  headers?: Record<string, string>;
  /** Until the response headers are in (seed: 15 s, or the input's timeoutSeconds). */
  headerTimeoutMs: number;
  /** Longest silence inside the body before the connection is dropped and reopened. */
  idleTimeoutMs: number;
  insecureTLS?: boolean;
  /** Keep sending `headers` after a redirect to another origin. */
  sendHeadersToAllHosts?: boolean;
}

/**
 * One long streaming GET of an MPEG-TS body. A non-2xx answer fails the open with the status in
 * the message; the server closing the body is end of stream.
 */
export class HttpTsSource implements ByteSource {
  readonly dropped = 0;
  private abort: AbortController | undefined;
  private chunks: AsyncIterator<Buffer> | undefined;
  private finalUrl: string;

  constructor(private readonly options: HttpTsOptions) {
    this.finalUrl = options.url;
  }

  async open(signal: AbortSignal): Promise<void> {
    await this.close();
    const abort = new AbortController();
    this.abort = abort;
    const o = this.options;
    const res = await httpGet(o.url, {
      headerTimeoutMs: o.headerTimeoutMs,
      signal: AbortSignal.any([signal, abort.signal]),
      ...(o.headers !== undefined ? { headers: o.headers } : {}),
      ...(o.sendHeadersToAllHosts !== true && { headersOrigin: originOf(o.url) ?? o.url }),
      ...(o.insecureTLS !== undefined ? { insecureTLS: o.insecureTLS } : {}),
    });
    this.finalUrl = res.url;
    res.body.setTimeout(o.idleTimeoutMs, () => {
      const seconds = o.idleTimeoutMs / 1000;
      res.body.destroy(new ReaderError(`no data for ${seconds} s from ${redactUrl(res.url)}`, true));
    });
    this.chunks = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async read(): Promise<Uint8Array[] | null> {
    if (this.chunks === undefined) return null;
    const abort = this.abort;
    try {
      const next = await this.chunks.next();
      return next.done ? null : [next.value];
    } catch (err) {
      if (abort?.signal.aborted) return null;
      throw networkError(err, this.finalUrl, 'reading body of');
    }
  }

  async close(): Promise<void> {
    this.abort?.abort();
    this.abort = undefined;
    const chunks = this.chunks;
    this.chunks = undefined;
    await chunks?.return?.();
  }
}
