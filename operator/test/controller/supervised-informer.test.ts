import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { waitFor } from '../../../tools/cluster/wait.js';
import { SupervisedInformer } from '../../src/controller/supervised-informer.js';
import { KubeApi } from '../../src/kube/api-client.js';
import { PODS } from '../../src/kube/resources.js';
import { FakeApiServer } from '../support/fake-apiserver.js';

const until = (check: () => boolean, what: string) =>
  waitFor(check, { what, timeoutMs: 20_000, intervalMs: 25, retryErrors: false });

let server: FakeApiServer;
before(async () => {
  server = await FakeApiServer.start();
});
beforeEach(() => {
  server.failWatches = 0;
  server.failLists = 0;
});
after(() => server.stop());

const pod = (name: string) => ({ metadata: { name, namespace: 'ns' }, spec: { managed: 'x' } });
const lists = () => server.requests.filter((r) => !r.includes('watch=1')).length;
/**
 * The server holds a watch as soon as the request arrives; after a failure the informer is synced
 * again only once the headers are back.
 */
const watching = (informer: SupervisedInformer<KubernetesObject>) =>
  server.openWatches === 1 && informer.health().synced;

test('a failed watch is restarted with backoff, resumes from its resourceVersion and reports health', async () => {
  server.put('ADDED', pod('a'));
  const api = new KubeApi(server.target());
  const seen: string[] = [];
  const errors: number[] = [];
  const informer = new SupervisedInformer<KubernetesObject>({
    name: 'pods',
    api,
    type: PODS,
    namespace: 'ns',
    prepare: (object) => {
      (object as { prepared?: boolean }).prepared = true;
    },
    onChange: (object, verb) => seen.push(`${verb} ${object.metadata?.name}`),
    onError: (_error, restartInMs) => errors.push(restartInMs),
    baseRestartMs: 20,
    maxRestartMs: 100,
  });
  try {
    assert.equal(informer.health().synced, false);
    await informer.start();
    await until(() => watching(informer), 'the first watch');
    assert.equal(informer.health().synced, true);
    assert.deepEqual(seen, ['add a']);
    assert.equal((informer.cache.get('a', 'ns') as { prepared?: boolean }).prepared, true);
    assert.equal(server.lastAuthorization, 'Bearer test-token');

    const listed = lists();
    server.failWatches = 2;
    server.dropWatches();
    await until(() => watching(informer), 'the watch to come back');
    // The dropped connection is one failure, each refused watch another.
    assert.deepEqual(errors, [20, 40, 80], 'each failure waits twice as long');
    const health = informer.health();
    assert.equal(health.synced, true);
    assert.equal(health.restarts, 3);
    assert.match(health.lastError ?? '', /500/);
    assert.equal(lists(), listed, 'no relist: the watch resumes where it was');
    assert.match(server.requests.at(-1) ?? '', /resourceVersion=2\b/);

    server.put('ADDED', pod('b'));
    server.put('MODIFIED', { ...pod('a'), spec: { managed: 'y' } });
    await until(() => seen.includes('update a'), 'events after the restart');
    assert.deepEqual(seen, ['add a', 'add b', 'update a']);
    assert.ok((informer.health().lastEventAgeSeconds ?? 99) < 5);
  } finally {
    await informer.stop();
    api.close();
  }
});

test('a list that fails is retried; the informer is not synced until it succeeds', async () => {
  server.put('ADDED', pod('a'));
  const api = new KubeApi(server.target());
  server.failLists = 1;
  const informer = new SupervisedInformer<KubernetesObject>({
    name: 'flaky',
    api,
    type: PODS,
    namespace: 'ns',
    onChange: () => {},
    baseRestartMs: 50,
  });
  try {
    await informer.start();
    assert.equal(informer.health().synced, false, 'start() returning is not being synced');
    assert.match(informer.health().lastError ?? '', /503/);
    await until(() => informer.health().synced, 'the retry to sync');
    assert.ok(informer.cache.get('a', 'ns'));
  } finally {
    await informer.stop();
    api.close();
  }
});

test('a watch told its resourceVersion is gone lists again, and drops what disappeared meanwhile', async () => {
  const api = new KubeApi(server.target());
  const seen: string[] = [];
  const informer = new SupervisedInformer<KubernetesObject>({
    name: 'gone',
    api,
    type: PODS,
    namespace: 'ns',
    onChange: (object, verb) => seen.push(`${verb} ${object.metadata?.name}`),
    baseRestartMs: 20,
  });
  server.put('ADDED', pod('b'));
  try {
    await informer.start();
    await until(() => watching(informer) && informer.cache.get('b', 'ns') !== undefined, 'the watch');
    seen.length = 0;
    server.items.delete('b'); // removed while nobody watched
    server.expire();
    await until(() => seen.includes('delete b'), 'the relist');
    assert.equal(informer.cache.get('b', 'ns'), undefined);
    assert.equal(informer.health().restarts, 0, 'a 410 is no failure');
  } finally {
    await informer.stop();
    api.close();
  }
});
