import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { secretValueDigest } from '../../src/controller/object-cache.js';
import { setDigestKey } from '../../src/controller/secret-digest.js';

const VALUE = Buffer.from('hunter2').toString('base64');

/** The digest of VALUE in a fresh process, with `key` (base64) set, or with its own process key. */
function digestElsewhere(key?: string): string {
  const module = fileURLToPath(new URL('../../src/controller/secret-digest.ts', import.meta.url));
  const setKey = key ? `m.setDigestKey(Buffer.from(${JSON.stringify(key)}, 'base64'));` : '';
  return execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(module)}); ${setKey} process.stdout.write(m.secretValueDigest(${JSON.stringify(VALUE)}));`,
    ],
    { encoding: 'utf8' },
  );
}

test('a Secret value digest is stable under one key and changes with the value', () => {
  assert.equal(secretValueDigest(VALUE), secretValueDigest(VALUE));
  assert.notEqual(secretValueDigest(VALUE), secretValueDigest(Buffer.from('hunter3').toString('base64')));
});

test('the digest is keyed: not a plain hash; replicas sharing the key agree, other keys do not', () => {
  const plain = createHash('sha256').update(VALUE).digest('hex');
  assert.ok(!plain.startsWith(secretValueDigest(VALUE).slice(0, 16)), 'not an unsalted sha256');
  const shared = Buffer.alloc(32, 7);
  setDigestKey(shared);
  const here = secretValueDigest(VALUE);
  assert.equal(digestElsewhere(shared.toString('base64')), here, 'another replica with the shared key');
  assert.notEqual(digestElsewhere(Buffer.alloc(32, 8).toString('base64')), here);
  assert.notEqual(digestElsewhere(), here, 'a process key until the shared one is loaded');
});
