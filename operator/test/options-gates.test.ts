import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OptionsError, parseOptions } from '../src/options.js';

test('privileged pod settings are closed by default; a memory limit is required', () => {
  const o = parseOptions([], {});
  assert.equal(o.allowHostNetwork, false);
  assert.deepEqual(o.allowedNfsServers, []);
  assert.equal(o.requireMemoryLimit, true);
  assert.equal(o.secretLabel, undefined);
  assert.equal(o.podDefaults.resources?.limits?.memory, '384Mi', 'the pod defaults give a limit');
});

test('the gates are read from flags and from the environment the chart sets', () => {
  const flags = parseOptions(
    [
      '--allow-host-network',
      'true',
      '--allowed-nfs-servers',
      'nas-1.example, 10.0.0.5',
      '--require-memory-limit',
      'false',
      '--secret-label',
      'tributary.io/ingest=allowed',
    ],
    {},
  );
  assert.equal(flags.allowHostNetwork, true);
  assert.deepEqual(flags.allowedNfsServers, ['nas-1.example', '10.0.0.5']);
  assert.equal(flags.requireMemoryLimit, false);
  assert.deepEqual(flags.secretLabel, { key: 'tributary.io/ingest', value: 'allowed' });
  const env = parseOptions([], {
    ALLOW_HOST_NETWORK: 'true',
    ALLOWED_NFS_SERVERS: '*',
    REQUIRE_MEMORY_LIMIT: 'true',
    SECRET_LABEL: 'ingest=',
  });
  assert.equal(env.allowHostNetwork, true);
  assert.equal(env.allowedNfsServers, '*');
  assert.equal(env.requireMemoryLimit, true);
  assert.deepEqual(env.secretLabel, { key: 'ingest', value: '' });
});

test('a --secret-label that is not key=value is refused, naming the flag', () => {
  for (const bad of ['ingest', '=x', 'a b=c', 'k=v v']) {
    assert.throws(
      () => parseOptions(['--secret-label', bad], {}),
      (error: Error) => {
        assert.ok(error instanceof OptionsError);
        assert.match(error.message, /^--secret-label: /);
        return true;
      },
    );
  }
});
