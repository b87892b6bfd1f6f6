import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OptionsError, parseOptions } from '../../src/options.js';
import { readSealingPublicKey, SealingKeyError, sealingPublicKey } from '../../src/push/sealing-key.js';

const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
// What Helm's genPrivateKey "ecdsa" writes: a SEC1 "EC PRIVATE KEY" PEM.
const sec1Pem = p256.privateKey.export({ type: 'sec1', format: 'pem' }).toString();

function tempFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-key-'));
  const file = path.join(dir, 'key.pem');
  fs.writeFileSync(file, content);
  return file;
}

test('the public half of a P-256 private key, as SPKI DER in base64', () => {
  const spki = sealingPublicKey(sec1Pem);
  const expected = p256.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  assert.equal(spki, expected);
  const parsed = createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
  assert.equal(parsed.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const pkcs8 = p256.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.equal(sealingPublicKey(pkcs8), expected);
});

test('other curves, other key types and non-keys are refused, naming the problem only', () => {
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({
    type: 'sec1',
    format: 'pem',
  });
  assert.throws(() => sealingPublicKey(p384), /P-256.*secp384r1/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  assert.throws(() => sealingPublicKey(rsa), /EC P-256 key is needed, this is a rsa key/);
  const garbage = '-----BEGIN EC PRIVATE KEY-----\nc2VjcmV0LXZhbHVl\n-----END EC PRIVATE KEY-----\n';
  assert.throws(
    () => sealingPublicKey(garbage),
    (error: Error) => error instanceof SealingKeyError && !error.message.includes('c2VjcmV0'),
  );
});

test('--push-key-file / PUSH_SEALING_KEY_FILE: read at start-up; a bad file is an OptionsError', () => {
  const file = tempFile(sec1Pem);
  const expected = readSealingPublicKey(file);
  assert.equal(parseOptions(['--push-key-file', file], {}).push.listenerKey, expected);
  assert.equal(parseOptions([], { PUSH_SEALING_KEY_FILE: file }).push.listenerKey, expected);
  assert.equal(parseOptions([], {}).push.listenerKey, undefined);
  assert.throws(
    () => parseOptions(['--push-key-file', path.join(path.dirname(file), 'missing.pem')], {}),
    (error: Error) => error instanceof OptionsError && /--push-key-file: cannot read/.test(error.message),
  );
  const wrong = tempFile(
    generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString(),
  );
  assert.throws(() => parseOptions([], { PUSH_SEALING_KEY_FILE: wrong }), /--push-key-file: .*P-256/);
});
