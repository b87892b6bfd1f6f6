import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RULES, type StreamSpec, type VodMountSpec, validateStream, validateVodMount } from '../src/index.js';
import { STREAM_CASES } from './fixtures/stream-cases.js';

describe('validateStream', () => {
  for (const { name, streamName = 'news', spec, problems } of STREAM_CASES) {
    test(name, () => {
      const found = validateStream(spec, { name: streamName, namespace: 'default' });
      assert.deepEqual(
        found.map((p) => [p.field, p.rule]),
        problems,
      );
      for (const problem of found) {
        assert.ok(problem.message.endsWith(RULES[problem.rule].message), problem.message);
        const index = /^spec\.inputs\[(\d+)\]/.exec(problem.field)?.[1];
        if (index !== undefined) assert.ok(problem.message.startsWith(`input ${index}: `), problem.message);
      }
    });
  }

  test('messages do not leak secrets written into URLs', () => {
    const secret = 'hunter2-secret';
    const spec: StreamSpec = {
      inputs: [
        { url: `srt://e.example:9000?passphrase=${secret}&mode=listener` },
        { url: `srt://e.example:9000?passphrase=${secret}&mode=listener` },
        { url: `rtmp://u:${secret}@o.example/live`, headers: { A: 'b' } },
      ],
    };
    const found = validateStream(spec);
    assert.ok(found.length >= 3);
    for (const p of found) assert.ok(!p.message.includes(secret), p.message);
  });

  test('never throws on objects that do not match the schema', () => {
    const junk: unknown[] = [
      {},
      null,
      { inputs: null },
      { inputs: [null] },
      { inputs: [{}] },
      { inputs: [{ url: 5 }] },
      { inputs: [{ url: 'udp://239.1.1.1:5000', headers: 5, headersFrom: 'x', pids: 'y' }] },
      { inputs: [{ url: 'udp://239.1.1.1:5000', headersFrom: [null] }], failover: 'x' },
    ];
    for (const spec of junk) {
      const found = validateStream(spec as StreamSpec);
      assert.ok(found.length > 0, JSON.stringify(spec));
    }
  });

  test('without a name, the name rules are skipped', () => {
    assert.deepEqual(validateStream({ inputs: [{ url: 'copy://news' }] }), []);
  });
});

describe('validateVodMount', () => {
  const pvc = { claimName: 'media' };
  const table: [string, VodMountSpec, string, string[]][] = [
    ['one PVC', { persistentVolumeClaim: pvc }, 'movies', []],
    ['one NFS export', { nfs: { server: 'nas', path: '/exports/vod' } }, 'movies', []],
    ['one ConfigMap', { configMap: { name: 'clips' } }, 'movies', []],
    ['one hostPath', { hostPath: { path: '/srv/vod' } }, 'movies', []],
    ['no source', {}, 'movies', ['vodmount-one-source']],
    [
      'two sources',
      { persistentVolumeClaim: pvc, hostPath: { path: '/srv' } },
      'movies',
      ['vodmount-one-source'],
    ],
    ['bad name', { persistentVolumeClaim: pvc }, 'My_Movies', ['name-dns1035']],
  ];
  for (const [name, spec, mountName, rules] of table) {
    test(name, () => {
      assert.deepEqual(
        validateVodMount(spec, { name: mountName }).map((p) => p.rule),
        rules,
      );
    });
  }
});
