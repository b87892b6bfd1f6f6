import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { KubeTarget } from './kube-target.js';

/** A failed API call, with the HTTP code and the Status reason the apiserver gave. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string | undefined;
  constructor(code: number, message: string, reason?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
  }
}

/**
 * Accept headers that ask for objects' metadata only (meta.k8s.io PartialObjectMetadata), as
 * controller-runtime's metadata-only informers do; plain JSON is the fallback.
 */
export const METADATA_ONLY = {
  list: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
  object: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
} as const;

export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.code === 404;
export const isConflict = (error: unknown): boolean => error instanceof ApiError && error.code === 409;

export type ApiQuery = Record<string, string | number | boolean | undefined>;

export interface ApiRequest {
  query?: ApiQuery;
  body?: unknown;
  /** Content type of the body; JSON unless a patch says otherwise. */
  contentType?: string;
  /** Accept header; JSON unless asked otherwise (e.g. metadata only, see METADATA_ONLY). */
  accept?: string | undefined;
  /** Aborts the request (it then rejects with an AbortError). */
  signal?: AbortSignal | undefined;
}

export interface KubeApiOptions {
  userAgent?: string;
  /** Called once per finished request (code 0 when no response came back). */
  onResponse?: (method: string, code: number) => void;
  timeoutMs?: number;
}

/**
 * A small JSON client for the apiserver. Objects stay plain JSON (no model classes, which drop
 * fields they do not know), connections are kept alive, and every request is counted.
 */
export class KubeApi {
  readonly #target: KubeTarget;
  readonly #options: KubeApiOptions;
  readonly #server: URL;
  readonly #secure: boolean;
  #agent: http.Agent;
  /** The exec plugin's certificate #agent presents; a new one gets a new agent. */
  #agentCert: Buffer | undefined;
  readonly #retiredAgents: http.Agent[] = [];

  constructor(target: KubeTarget, options: KubeApiOptions = {}) {
    this.#target = target;
    this.#options = options;
    this.#server = new URL(target.server);
    this.#secure = this.#server.protocol === 'https:';
    this.#agent = this.#newAgent(target.cert, target.key);
  }

  #newAgent(cert: Buffer | undefined, key: Buffer | undefined): http.Agent {
    const common = { keepAlive: true, maxSockets: 32 };
    const target = this.#target;
    return this.#secure
      ? new https.Agent({
          ...common,
          ca: target.ca,
          cert,
          key,
          rejectUnauthorized: !target.insecureSkipTlsVerify,
          ...(target.tlsServerName !== undefined && { servername: target.tlsServerName }),
        })
      : new http.Agent(common);
  }

  /** The agent for the current client certificate (connections made with an older one drain). */
  async #currentAgent(): Promise<http.Agent> {
    const pair = await this.#target.clientCertificate?.();
    if (pair && pair.cert !== this.#agentCert) {
      this.#retiredAgents.push(this.#agent);
      this.#agent = this.#newAgent(pair.cert, pair.key);
      this.#agentCert = pair.cert;
    }
    return this.#agent;
  }

  get namespace(): string | undefined {
    return this.#target.namespace;
  }

  get<T>(path: string, query?: ApiQuery, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { ...(query && { query }), signal });
  }

  async request<T>(method: string, path: string, request: ApiRequest = {}): Promise<T> {
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const { headers, token } = await this.#headers(request.accept);
    if (body !== undefined) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    let code = 0;
    try {
      const response = await this.#send(
        method,
        this.#url(path, request.query),
        headers,
        body,
        request.signal,
      );
      code = response.statusCode ?? 0;
      const text = await readAll(response);
      const parsed = text === '' ? undefined : safeJson(text);
      if (code >= 200 && code < 300) return parsed as T;
      throw apiError(method, path, code, parsed, text);
    } finally {
      if (code === 401) this.#target.rejected?.(token);
      this.#options.onResponse?.(method, code);
    }
  }

  /**
   * A GET whose response body is consumed as it arrives (a watch). Resolves with the response once
   * the status is 2xx; throws an ApiError otherwise. `signal` aborts the request.
   */
  async openStream(
    path: string,
    query: ApiQuery,
    signal: AbortSignal,
    accept?: string,
  ): Promise<http.IncomingMessage> {
    let code = 0;
    const { headers, token } = await this.#headers(accept);
    try {
      const response = await this.#send('GET', this.#url(path, query), headers, undefined, signal, 0);
      code = response.statusCode ?? 0;
      if (code >= 200 && code < 300) return response;
      const text = await readAll(response);
      throw apiError('GET', path, code, safeJson(text), text);
    } finally {
      if (code === 401) this.#target.rejected?.(token);
      this.#options.onResponse?.('WATCH', code);
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
    for (const agent of this.#retiredAgents.splice(0)) agent.destroy();
  }

  #url(path: string, query: ApiQuery | undefined): URL {
    const url = new URL(this.#server.pathname.replace(/\/$/, '') + path, this.#server);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async #headers(
    accept = 'application/json',
  ): Promise<{ headers: Record<string, string>; token: string | undefined }> {
    const headers: Record<string, string> = {
      Accept: accept,
      'User-Agent': this.#options.userAgent ?? 'tributary-operator',
    };
    const token = await this.#target.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    return { headers, token };
  }

  async #send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal?: AbortSignal,
    timeoutMs = this.#options.timeoutMs ?? 30_000,
  ): Promise<http.IncomingMessage> {
    const agent = await this.#currentAgent();
    return new Promise((resolve, reject) => {
      const options: http.RequestOptions = { method, headers, agent, ...(signal && { signal }) };
      const request = (this.#secure ? https : http).request(url, options, resolve);
      if (timeoutMs > 0) {
        request.setTimeout(timeoutMs, () =>
          request.destroy(new Error(`${method} ${url.pathname}: timed out`)),
        );
      }
      request.on('error', reject);
      request.end(body);
    });
  }
}

function apiError(method: string, path: string, code: number, parsed: unknown, text: string): ApiError {
  const status = (parsed ?? {}) as { message?: string; reason?: string };
  return new ApiError(
    code,
    `${method} ${path}: ${code} ${status.message ?? text.slice(0, 200)}`,
    status.reason,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
