// The node agent's pure parts, without a cluster: image table, path rewriting, env and quantities.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { HOST_IMAGE, ImageError, imageRepository, resolveArgv } from './agent/images.js';
import { containerEnv, expandReferences, fieldPathValue, PodConfigError } from './agent/pod-env.js';
import { toHostPath } from './agent/pod-volumes.js';
import { parseQuantity } from './agent/quantity.js';

describe('image table', () => {
  const table = {
    'ghcr.io/tributary/ingest-pod': {
      entrypoint: ['node', 'bin.js'],
      commands: { tributary: ['node', 'bin.js'] },
    },
    [HOST_IMAGE]: { passThrough: true },
    'example.com/plain': ['run-plain'],
  };

  test('image repository drops tag and digest but keeps a registry port', () => {
    assert.equal(
      imageRepository('ghcr.io/tributary/ingest-pod:1.2@sha256:abc'),
      'ghcr.io/tributary/ingest-pod',
    );
    assert.equal(imageRepository('localhost:5000/x'), 'localhost:5000/x');
    assert.equal(imageRepository('localhost:5000/x:dev'), 'localhost:5000/x');
  });

  test('entrypoint + args, mapped command, pass-through: the program from the table, args from the spec', () => {
    const image = 'ghcr.io/tributary/ingest-pod:0.1';
    assert.deepEqual(resolveArgv(table, { name: 'a', image, args: ['ingest'] }), {
      program: ['node', 'bin.js'],
      args: ['ingest'],
    });
    assert.deepEqual(
      resolveArgv(table, { name: 'a', image, command: ['tributary', 'ingest'], args: ['--x'] }),
      { program: ['node', 'bin.js'], args: ['ingest', '--x'] },
    );
    assert.deepEqual(
      resolveArgv(table, { name: 'a', image: HOST_IMAGE, command: ['sh', '-c'], args: ['true'] }),
      { program: [], args: ['sh', '-c', 'true'] },
    );
    assert.deepEqual(resolveArgv(table, { name: 'a', image: 'example.com/plain', args: ['1'] }), {
      program: ['run-plain'],
      args: ['1'],
    });
  });

  test('unknown images and unmapped commands are errors that name them', () => {
    assert.throws(
      () => resolveArgv(table, { name: 'a', image: 'nope:1' }),
      (e) => e instanceof ImageError && /nope:1/.test(e.message),
    );
    assert.throws(
      () => resolveArgv(table, { name: 'a', image: 'example.com/plain', command: ['other'] }),
      /does not map command "other"/,
    );
  });
});

describe('paths and values', () => {
  const fsView = {
    root: '/pods/p/root',
    mounts: [
      ['/vod/library', '/host/claims/lib'],
      ['/vod', '/host/vod'],
    ] as [string, string][],
  };

  test('container paths become host paths, longest mount first, also after --flag=', () => {
    assert.equal(toHostPath(fsView, '/vod/library/a.ts'), '/host/claims/lib/a.ts');
    assert.equal(toHostPath(fsView, '/vod/other'), '/host/vod/other');
    assert.equal(toHostPath(fsView, '/vod'), '/host/vod');
    assert.equal(toHostPath(fsView, '--vod-root=/vod'), '--vod-root=/host/vod');
    assert.equal(toHostPath(fsView, '/vodka'), '/vodka');
    assert.equal(toHostPath(fsView, 'udp://239.1.1.1:5000'), 'udp://239.1.1.1:5000');
  });

  test('quantities', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('1k'), 1000);
    assert.throws(() => parseQuantity('lots'), /invalid quantity/);
  });

  test('$(VAR) references expand, $$ escapes, unknown ones stay', () => {
    const vars = { A: 'x', B: 'y' };
    assert.equal(expandReferences('$(A)-$(B)', vars), 'x-y');
    assert.equal(expandReferences('$$(A)', vars), '$(A)');
    assert.equal(expandReferences('$(C) $((1+2))', vars), '$(C) $((1+2))');
  });
});

describe('container env', () => {
  const pod: V1Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { app: 'web' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
  };
  const addresses = { podIP: '127.9.0.1', hostIP: '127.0.0.1' };
  const objects = {
    secret: async (_ns: string, name: string) =>
      name === 's' ? { data: { k: Buffer.from('secret-value').toString('base64') } } : undefined,
    configMap: async (_ns: string, name: string) => (name === 'cm' ? { data: { mode: 'fast' } } : undefined),
  };

  test('field paths', () => {
    assert.equal(fieldPathValue(pod, "metadata.labels['app']", addresses), 'web');
    assert.equal(fieldPathValue(pod, 'status.podIP', addresses), '127.9.0.1');
    assert.throws(() => fieldPathValue(pod, 'spec.bogus', addresses), PodConfigError);
  });

  test('values, references to earlier vars, Secrets, ConfigMaps and optional misses', async () => {
    const env = await containerEnv(
      pod,
      {
        name: 'c',
        env: [
          { name: 'A', value: 'a' },
          { name: 'B', value: '$(A)b' },
          { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          { name: 'M', valueFrom: { configMapKeyRef: { name: 'cm', key: 'mode' } } },
          { name: 'O', valueFrom: { secretKeyRef: { name: 'absent', key: 'k', optional: true } } },
          { name: 'U', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        ],
      },
      objects,
      addresses,
      {},
    );
    assert.deepEqual(env, { A: 'a', B: 'ab', S: 'secret-value', M: 'fast', U: 'u-1' });
  });

  test('a missing required Secret key is a PodConfigError naming it', async () => {
    await assert.rejects(
      containerEnv(
        pod,
        { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'nope' } } }] },
        objects,
        addresses,
        {},
      ),
      (e) => e instanceof PodConfigError && /secret "s" has no key "nope"/.test(e.message),
    );
  });
});
