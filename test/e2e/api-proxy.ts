// An HTTPS reverse proxy in front of the test cluster's kube-apiserver: it records what a client
// asks for (method, path, Accept header) and can hold requests, as a slow or unreachable apiserver.
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Cluster } from '../../tools/cluster/index.js';

export interface ProxiedRequest {
  method: string;
  /** Path and query. */
  url: string;
  accept: string;
  at: number;
}

type Match = (request: ProxiedRequest) => boolean;

export class ApiProxy {
  readonly requests: ProxiedRequest[] = [];
  readonly #server: https.Server;
  readonly #upstream: URL;
  readonly #agent: https.Agent;
  readonly #sockets = new Set<Socket>();
  #hold: Match | undefined;
  readonly #held: (() => void)[] = [];

  private constructor(cluster: Cluster) {
    this.#upstream = new URL(cluster.server);
    this.#agent = new https.Agent({ ca: fs.readFileSync(cluster.pki.caCert), keepAlive: true });
    this.#server = https.createServer(
      { cert: fs.readFileSync(cluster.pki.serving.cert), key: fs.readFileSync(cluster.pki.serving.key) },
      (request, response) => this.#handle(request, response),
    );
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(cluster: Cluster): Promise<ApiProxy> {
    const proxy = new ApiProxy(cluster);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** A copy of `kubeconfig` (a file) whose server is this proxy; returns the new file. */
  kubeconfig(kubeconfig: string): string {
    const file = kubeconfig.replace(/(\.kubeconfig)?$/, `-via-proxy.kubeconfig`);
    const yaml = fs.readFileSync(kubeconfig, 'utf8').replaceAll(this.#upstream.origin, this.url);
    fs.writeFileSync(file, yaml, { mode: 0o600 });
    return file;
  }

  /** From now on, requests that `match` are held unanswered (a hung apiserver) until release(). */
  hold(match: Match): void {
    this.#hold = match;
  }

  release(): void {
    this.#hold = undefined;
    for (const forward of this.#held.splice(0)) forward();
  }

  async stop(): Promise<void> {
    this.#held.length = 0;
    for (const socket of this.#sockets) socket.destroy();
    this.#agent.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const recorded: ProxiedRequest = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      accept: String(request.headers.accept ?? ''),
      at: Date.now(),
    };
    this.requests.push(recorded);
    const forward = () => {
      if (request.destroyed || response.destroyed) return; // the client gave up while it was held
      const upstream = https.request(
        new URL(recorded.url, this.#upstream),
        {
          method: recorded.method,
          headers: { ...request.headers, host: this.#upstream.host },
          agent: this.#agent,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.destroy());
      response.on('close', () => upstream.destroy());
      request.pipe(upstream);
    };
    if (this.#hold?.(recorded)) this.#held.push(forward);
    else forward();
  }
}
