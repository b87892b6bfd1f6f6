import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { KubeApi, METADATA_ONLY } from '../../src/kube/api-client.js';
import { listAll, SECRETS } from '../../src/kube/resources.js';

test('listAll trims each page as it arrives and passes the Accept header it is given', async () => {
  const log: string[] = [];
  const accepts: (string | undefined)[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    accepts.push(request.headers.accept);
    const second = url.searchParams.get('continue') === 'p2';
    log.push(second ? 'page 2' : 'page 1');
    const items = (second ? ['c'] : ['a', 'b']).map((name) => ({
      metadata: { name, namespace: 'ns' },
      data: { key: 'dmFsdWU=' },
    }));
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ metadata: { resourceVersion: '9', continue: second ? '' : 'p2' }, items }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const api = new KubeApi({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  try {
    const list = await listAll<{ metadata: { name: string }; data?: unknown; kind?: string }>(api, SECRETS, {
      namespace: 'ns',
      pageSize: 2,
      accept: METADATA_ONLY.list,
      prepare: (item) => {
        log.push(`trim ${item.metadata.name}`);
        delete item.data;
      },
    });
    assert.deepEqual(log, ['page 1', 'trim a', 'trim b', 'page 2', 'trim c']);
    assert.deepEqual(
      list.items.map((i) => [i.metadata.name, i.kind, i.data]),
      [
        ['a', 'Secret', undefined],
        ['b', 'Secret', undefined],
        ['c', 'Secret', undefined],
      ],
    );
    assert.deepEqual(accepts, [METADATA_ONLY.list, METADATA_ONLY.list]);
  } finally {
    api.close();
    server.closeAllConnections();
    server.close();
  }
});
