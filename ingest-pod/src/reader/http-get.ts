import type { IncomingMessage } from 'node:http';
import type { Agent } from 'node:https';
import { redactUrl } from '@tributary/crds';
import { classifyFailure, isPermanentHttpStatus } from './error-classification.js';
import { ReaderError } from './packet-reader.js';

export const USER_AGENT = 'Tributary/0.1';

export interface HttpGetOptions {
  /** Sent after the User-Agent, so an input header may override it. */
  headers?: Record<string, string>;
  /**
   * `headers` go only to this origin (scheme, host and port): not to other hosts, not after a
   * redirect away from it. Absent: to every host, redirects included.
   */
  headersOrigin?: string;
  /** Budget from sending the request until the response headers are in. */
  headerTimeoutMs: number;
  insecureTLS?: boolean;
  signal?: AbortSignal;
  maxRedirects?: number;
}

export interface HttpResponse {
  /** The URL that answered, after redirects (relative URIs in a body resolve against it). */
  url: string;
  status: number;
  body: IncomingMessage;
}

/** A non-2xx answer. Its message names the status and the (redacted) URL. */
export class HttpStatusError extends ReaderError {
  constructor(
    readonly status: number,
    statusText: string,
    readonly url: string,
  ) {
    super(
      `HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${redactUrl(url)}`,
      !isPermanentHttpStatus(status),
    );
    this.name = 'HttpStatusError';
  }
}

// Not ES imports: see @tributary/runtime's health-server.ts. TLS is loaded by the first https:// request.
const http = process.getBuiltinModule('node:http');
const https = () => process.getBuiltinModule('node:https');
let insecure: Agent | undefined;

function insecureAgent(): Agent {
  insecure ??= new (https().Agent)({ rejectUnauthorized: false });
  return insecure;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The origin of an http(s) URL, for `headersOrigin`; undefined when it does not parse. */
export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Turns a socket-level failure into a ReaderError that says what failed and whether to retry. */
export function networkError(err: unknown, url: string, what = 'GET'): ReaderError {
  if (err instanceof ReaderError) return err;
  const failure = classifyFailure(err);
  const cause = err instanceof Error ? err.cause : undefined;
  const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
  const detail = timedOut ? 'timed out' : err instanceof Error ? err.message : String(err);
  const prefix =
    failure.kind === 'tls' ? 'TLS error' : failure.kind === 'dns' ? 'DNS lookup failed' : `${what} failed`;
  return new ReaderError(`${prefix} for ${redactUrl(url)}: ${detail}`, !failure.permanent, { cause: err });
}

function requestOnce(url: URL, headers: Record<string, string>, options: HttpGetOptions) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const get = secure ? https().get : http.get;
    const req = get(url, {
      headers,
      signal: options.signal,
      ...(secure && options.insecureTLS ? { agent: insecureAgent() } : {}),
    });
    const timer = setTimeout(() => {
      const seconds = options.headerTimeoutMs / 1000;
      req.destroy(
        new ReaderError(`no response headers within ${seconds} s from ${redactUrl(url.href)}`, true),
      );
    }, options.headerTimeoutMs);
    req.once('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(networkError(err, url.href));
    });
  });
}

/**
 * One GET that resolves once a 2xx answer's headers are in; the caller consumes `body`. Follows
 * up to `maxRedirects` redirects; `headers` are sent only while the request is to `headersOrigin`.
 */
export async function httpGet(rawUrl: string, options: HttpGetOptions): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch (err) {
    throw new ReaderError(`invalid URL ${redactUrl(rawUrl)}`, false, { cause: err });
  }
  const everywhere = options.headersOrigin === undefined;
  const headersFor = (target: URL) => ({
    'user-agent': USER_AGENT,
    ...((everywhere || target.origin === options.headersOrigin) && options.headers),
  });
  const maxRedirects = options.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(url, headersFor(url), options);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      res.resume();
      if (hop >= maxRedirects) {
        throw new ReaderError(`more than ${maxRedirects} redirects from ${redactUrl(rawUrl)}`, false);
      }
      url = new URL(location, url);
      continue;
    }
    if (status < 200 || status > 299) {
      res.resume();
      throw new HttpStatusError(status, res.statusMessage ?? '', url.href);
    }
    return { url: url.href, status, body: res };
  }
}

/** Reads a whole body, failing with a clear error when it exceeds `maxBytes`. */
export async function readWholeBody(res: HttpResponse, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.body.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw new ReaderError(
      `${what} ${redactUrl(res.url)} is ${declared} bytes, over the ${maxBytes}-byte limit`,
      false,
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        res.body.destroy();
        throw new ReaderError(`${what} ${redactUrl(res.url)} is over the ${maxBytes}-byte limit`, false);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw networkError(err, res.url, `reading ${what}`);
  }
  return Buffer.concat(chunks, total);
}
