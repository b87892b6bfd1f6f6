import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

// Not `import … from 'node:http'`: an ES import of node:http evaluates its lazy exports
// (WebSocket, …) and so loads Node's bundled undici, about 13 MB resident for nothing we use.
const { createServer } = process.getBuiltinModule('node:http');

/**
 * A probe's answer. `reason` is a short machine-readable word, `detail` a sentence for people;
 * `facts` (anything the component wants a person debugging it to see) go into the JSON body
 * either way.
 */
export type Health = ({ ok: true } | { ok: false; reason: string; detail: string }) & {
  facts?: Record<string, unknown>;
};

export interface HealthLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface HealthServerOptions {
  /** Default 0.0.0.0 (the kubelet probes the pod IP). */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  registry: Registry;
  /** `/readyz`. */
  readiness: () => Health;
  /** `/healthz`; the process answering is enough when absent. */
  liveness?: () => Health;
  log?: HealthLog;
  /** Applied to the /metrics text and to health details before they are sent. */
  redact?: (text: string) => string;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` and `/readyz` (200 `{"status":"ok",…facts}`, or 503
 * `{"status":"unavailable","reason","detail",…facts}`) and `/metrics`, for every Tributary process.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const {
    registry,
    readiness,
    liveness = () => ({ ok: true }) as const,
    log,
    redact = (text) => text,
  } = options;
  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { error: 'method not allowed' });
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz') sendHealth(response, liveness(), redact);
    else if (path === '/readyz') sendHealth(response, readiness(), redact);
    else if (path === '/metrics') {
      registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(redact(text));
        },
        (error: unknown) => {
          log?.error({ err: error }, 'metrics collection failed');
          sendJson(response, 500, { error: 'metrics collection failed' });
        },
      );
    } else sendJson(response, 404, { error: 'not found' });
  });
  // Probes and scrapes are short; do not let idle keep-alive sockets hold up a shutdown.
  server.keepAliveTimeout = 5000;
  server.listen(options.port, options.host ?? '0.0.0.0');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  log?.info({ port }, 'health server listening');
  return {
    port,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeIdleConnections();
      await closed;
    },
  };
}

function sendHealth(response: ServerResponse, health: Health, redact: (text: string) => string): void {
  const body = health.ok
    ? { status: 'ok', ...health.facts }
    : { status: 'unavailable', reason: health.reason, detail: redact(health.detail), ...health.facts };
  sendJson(response, health.ok ? 200 : 503, body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
