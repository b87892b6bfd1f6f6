import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface HealthServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** /readyz: 200 when ready, else 503; the details go out as JSON either way. */
  readiness: () => Readiness;
  /** /healthz: false once the process should be restarted. */
  alive?: () => boolean;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

function send(response: http.ServerResponse, code: number, body: string, type: string): void {
  response.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  response.end(body);
}

/** Serves /metrics, /healthz and /readyz. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(response, 405, 'method not allowed\n', 'text/plain');
    if (path === '/healthz') {
      const alive = options.alive?.() ?? true;
      return send(response, alive ? 200 : 503, alive ? 'ok\n' : 'unhealthy\n', 'text/plain');
    }
    if (path === '/readyz') {
      const readiness = options.readiness();
      return send(
        response,
        readiness.ready ? 200 : 503,
        `${JSON.stringify(readiness)}\n`,
        'application/json',
      );
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => send(response, 200, text, options.registry.contentType),
        (error: Error) => send(response, 500, `${error.message}\n`, 'text/plain'),
      );
      return;
    }
    send(response, 404, 'not found\n', 'text/plain');
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
