import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IngestInput } from '@tributary/crds';
import { mergeQuery, resolveInput } from '../../src/ingest/resolve-input.js';

function input(fields: Partial<IngestInput> & { url: string }): IngestInput {
  return { priority: 0, headers: {}, headersFromEnv: [], params: {}, paramsFromEnv: [], ...fields };
}

test('params are merged into the query, replacing parameters of the same name', () => {
  assert.equal(
    mergeQuery('srt://h:9000?latency=1&mode=caller', { latency: '200' }),
    'srt://h:9000?mode=caller&latency=200',
  );
  assert.equal(mergeQuery('udp://127.0.0.1:5000', { a: 'x y' }), 'udp://127.0.0.1:5000?a=x%20y');
  assert.equal(mergeQuery('udp://127.0.0.1:5000', {}), 'udp://127.0.0.1:5000');
});

test('secrets come from the env; the hash follows their values, the shown URL hides them', () => {
  const spec = input({
    url: 'https://cdn.example/live.m3u8?token=abc',
    headersFromEnv: [{ name: 'Authorization', env: 'AUTH' }],
    paramsFromEnv: [{ name: 'sig', env: 'SIG' }],
    timeoutSeconds: 5,
  });
  const a = resolveInput(spec, 0, { AUTH: 'Bearer 1', SIG: 's1' });
  assert.equal(a.reader.url, 'https://cdn.example/live.m3u8?token=abc&sig=s1');
  assert.deepEqual(a.reader.headers, { Authorization: 'Bearer 1' });
  assert.equal(a.reader.timeoutSeconds, 5);
  assert.equal(a.protocol, 'hls');
  assert.equal(a.unusable, undefined);
  assert.doesNotMatch(a.shownUrl, /abc/);
  assert.equal(
    resolveInput(spec, 3, { AUTH: 'Bearer 1', SIG: 's1' }).configHash,
    a.configHash,
    'priority is not config',
  );
  assert.notEqual(resolveInput(spec, 0, { AUTH: 'Bearer 2', SIG: 's1' }).configHash, a.configHash);
  assert.notEqual(
    resolveInput({ ...spec, insecureTLS: true }, 0, { AUTH: 'Bearer 1', SIG: 's1' }).configHash,
    a.configHash,
  );
  assert.doesNotMatch(a.configHash, /Bearer|s1/);
});

test('a missing secret or publish key makes the input unusable, not the config invalid', () => {
  const missing = resolveInput(
    input({ url: 'srt://h:9000', paramsFromEnv: [{ name: 'passphrase', env: 'PASS' }] }),
    0,
    {},
  );
  assert.equal(missing.unusable, 'secret env var PASS is not set');
  const push = resolveInput(input({ url: 'publish://', publishKeyEnv: 'KEY' }), 1, { KEY: 'k' });
  assert.equal(push.unusable, undefined);
  assert.equal(push.protocol, 'publish');
  const noKey = resolveInput(input({ url: 'publish://', publishKeyEnv: 'KEY' }), 1, {});
  assert.equal(
    noKey.unusable,
    'publish key env var KEY is not set: the stream cannot be registered with the push-listener',
  );
  const legacy = resolveInput(input({ url: 'rtmp://0.0.0.0/live/key' }), 0, {});
  assert.match(legacy.unusable ?? '', /has no publish key \(publishKeyEnv\)/);
  assert.equal(resolveInput(input({ url: 'udp://127.0.0.1:5000' }), 0, {}).unusable, undefined);
});
