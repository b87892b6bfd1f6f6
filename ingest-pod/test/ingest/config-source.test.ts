import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '@tributary/crds';
import { checkInputs } from '../../src/ingest/check-inputs.js';
import { loadIngestConfig, parseListen } from '../../src/ingest/config-source.js';
import { makeTempDir } from '../support/peers.js';

const CONFIG = {
  stream: { namespace: 'default', name: 'news', uid: 'u', generation: 2 },
  inputs: [{ url: 'udp://127.0.0.1:5000', priority: 0 }],
  failover: { packetTimeoutMs: 1500 },
};

test('the config comes from --config, else TRIBUTARY_STREAM', async () => {
  const dir = await makeTempDir();
  try {
    const file = join(dir.path, 'stream.json');
    await writeFile(file, JSON.stringify(CONFIG));
    const fromFile = await loadIngestConfig(file, { TRIBUTARY_STREAM: '{}' });
    assert.equal(fromFile.stream.name, 'news');
    assert.equal(fromFile.subjectPrefix, 'tributary');
    const fromEnv = await loadIngestConfig(undefined, { TRIBUTARY_STREAM: JSON.stringify(CONFIG) });
    assert.deepEqual(fromEnv.failover, { packetTimeoutMs: 1500 });
    await assert.rejects(loadIngestConfig(join(dir.path, 'missing.json'), {}), /cannot read .*missing\.json/);
  } finally {
    await dir.remove();
  }
});

test('an invalid config names the field and where it came from', async () => {
  await assert.rejects(loadIngestConfig(undefined, {}), /pass --config <file> or set TRIBUTARY_STREAM/);
  const bad = { ...CONFIG, inputs: [{ url: 'udp://127.0.0.1:5000', priority: 1 }] };
  await assert.rejects(
    loadIngestConfig(undefined, { TRIBUTARY_STREAM: JSON.stringify(bad) }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /inputs\[0\]\.priority: must equal the input's index \(0\) \(in env TRIBUTARY_STREAM\)/.test(
        error.message,
      ),
  );
});

test('listen addresses', () => {
  assert.deepEqual(parseListen(undefined), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListen('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListen(':9090'), { host: '0.0.0.0', port: 9090 });
  assert.deepEqual(parseListen('[::1]:81'), { host: '::1', port: 81 });
  assert.throws(() => parseListen('8080'), /expected host:port/);
  assert.throws(() => parseListen('a:70000'), /expected host:port/);
});

test('edited input lists are checked with the config schema and the Stream rules', async () => {
  const config = await loadIngestConfig(undefined, { TRIBUTARY_STREAM: JSON.stringify(CONFIG) });
  const ok = checkInputs(config, [
    ...config.inputs,
    { url: 'http://origin/live.m3u8', headers: { 'X-Token': 'a' } },
  ]);
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.ok && ok.inputs.map((i) => i.priority), [0, 1]);
  const duplicate = checkInputs(config, [...config.inputs, { url: 'udp://127.0.0.1:5000' }]);
  assert.match(
    !duplicate.ok ? duplicate.message : '',
    /inputs\[1\]\.url: input 1: its url repeats input 0's/,
  );
  const headers = checkInputs(config, [{ url: 'udp://127.0.0.1:5000', headers: { A: 'b' } }]);
  assert.match(!headers.ok ? headers.message : '', /inputs\[0\]\.headers/);
  const push = checkInputs(config, [{ url: 'publish://' }]);
  assert.match(!push.ok ? push.message : '', /publishKeySecretRef/);
});
