import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeTarget } from '../../src/kube/kube-target.js';

interface Item {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  [field: string]: unknown;
}

/** A stand-in apiserver for one collection: list, watch, and watches that can be made to fail. */
export class FakeApiServer {
  readonly items = new Map<string, Item>();
  readonly requests: string[] = [];
  /** Answer this many upcoming watch (or list) requests with HTTP 500. */
  failWatches = 0;
  failLists = 0;
  /** The Authorization header of the last request. */
  lastAuthorization: string | undefined;
  #rv = 1;
  readonly #watchers = new Set<http.ServerResponse>();
  readonly #server: http.Server;

  private constructor() {
    this.#server = http.createServer((request, response) => this.#handle(request, response));
  }

  static async start(): Promise<FakeApiServer> {
    const fake = new FakeApiServer();
    fake.#server.listen(0, '127.0.0.1');
    await once(fake.#server, 'listening');
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  target(): KubeTarget {
    return { server: this.url, token: () => 'test-token' };
  }

  /** Stores the object and tells every open watch. */
  put(type: 'ADDED' | 'MODIFIED', item: Item): void {
    item.metadata.resourceVersion = String(++this.#rv);
    this.items.set(item.metadata.name, item);
    for (const watcher of this.#watchers) watcher.write(`${JSON.stringify({ type, object: item })}\n`);
  }

  /** Tells every open watch that its resourceVersion is too old (410 Gone), as etcd compaction does. */
  expire(): void {
    const gone = {
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' },
    };
    for (const watcher of this.#watchers) watcher.end(`${JSON.stringify(gone)}\n`);
    this.#watchers.clear();
  }

  /** Drops every open watch connection, as an apiserver restart does. */
  dropWatches(): void {
    for (const watcher of this.#watchers) watcher.destroy();
    this.#watchers.clear();
  }

  get openWatches(): number {
    return this.#watchers.size;
  }

  async stop(): Promise<void> {
    this.dropWatches();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    this.lastAuthorization = request.headers.authorization;
    if (url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true') {
      if (this.failWatches > 0) {
        this.failWatches--;
        response.writeHead(500).end('{"kind":"Status","message":"boom"}');
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.flushHeaders();
      this.#watchers.add(response);
      response.on('close', () => this.#watchers.delete(response));
      return;
    }
    if (this.failLists > 0) {
      this.failLists--;
      response.writeHead(503).end('{"kind":"Status","message":"unavailable"}');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(
      JSON.stringify({ metadata: { resourceVersion: String(this.#rv) }, items: [...this.items.values()] }),
    );
  }
}
