import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IngestInput } from '@tributary/crds';
import { secretValuesOf } from '../../src/ingest/input-secrets.js';
import { resolveInput } from '../../src/ingest/resolve-input.js';
import { SecretRedactor } from '../../src/observability/secret-redactor.js';

function input(fields: Partial<IngestInput> & { url: string }): IngestInput {
  return { priority: 0, headers: {}, headersFromEnv: [], params: {}, paramsFromEnv: [], ...fields };
}

test('secret values of an input: from env, credential headers, URL userinfo, streamid and passphrase', () => {
  const values = secretValuesOf(
    input({
      url: 'srt://h.example:9000?streamid=#!::u=alice,t=streamtoken1',
      headers: { Authorization: 'Bearer inline-token', 'X-Quality': 'hd' },
      headersFromEnv: [{ name: 'X-Custom', env: 'HEADER' }],
      paramsFromEnv: [{ name: 'passphrase', env: 'PASS' }],
      publishKeyEnv: 'KEY',
    }),
    { HEADER: 'header-from-secret', PASS: 'passphrase-0123', KEY: 'publish-key-1' },
  );
  for (const expected of [
    'header-from-secret',
    'passphrase-0123',
    'publish-key-1',
    'Bearer inline-token',
    'inline-token',
    'streamtoken1',
  ]) {
    assert.ok(values.includes(expected), `${expected} missing from ${values.join(', ')}`);
  }
  assert.ok(!values.includes('hd') && !values.includes('alice'));
  assert.deepEqual(secretValuesOf(input({ url: 'https://TOKEN123@h.example/a.m3u8' }), {}), ['TOKEN123']);
});

test('resolveInput registers the values and carries sendHeadersToAllHosts into the reader and its hash', () => {
  const secrets = new SecretRedactor();
  const spec = input({ url: 'https://h.example/a.m3u8', paramsFromEnv: [{ name: 'hdnts', env: 'T' }] });
  const plain = resolveInput(spec, 0, { T: 'token-value-1' }, secrets);
  assert.equal(
    secrets.redact(`GET ${plain.reader.url} failed`),
    'GET https://h.example/a.m3u8?hdnts=*** failed',
  );
  const everywhere = resolveInput({ ...spec, sendHeadersToAllHosts: true }, 0, { T: 'token-value-1' });
  assert.equal(plain.reader.sendHeadersToAllHosts, undefined);
  assert.equal(everywhere.reader.sendHeadersToAllHosts, true);
  assert.notEqual(everywhere.configHash, plain.configHash);
});
