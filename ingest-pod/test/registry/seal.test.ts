// Sealing an SRT passphrase to the push-listener's key: round trip, tampering, wrong key, and the
// key formats a deployment hands the listener (SEC1 from openssl/Helm, PKCS#8).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadSealingKey, openSealed, publicKeyOf, SealError, sealSecret } from '../../src/registry/index.js';

function p256(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
}

/** Flips one bit of the decoded sealed bytes at `index` (negative: from the end). */
function flipBit(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed, 'base64');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = bytes[at]! ^ 0x01;
  return bytes.toString('base64');
}

describe('sealed secrets', () => {
  it('round-trips, with a fresh ephemeral key (different output) every time', () => {
    const key = p256();
    const publicKey = publicKeyOf(key);
    for (const secret of ['', 'correct horse battery staple', 'pässwörd ✓', 'x'.repeat(1024)]) {
      assert.equal(openSealed(key, sealSecret(publicKey, secret)), secret);
    }
    assert.notEqual(sealSecret(publicKey, 'same'), sealSecret(publicKey, 'same'));
    assert.throws(() => sealSecret(publicKey, 'x'.repeat(1025)), TypeError);
  });

  it('refuses a tampered sealed secret, wherever the bit flipped', () => {
    const key = p256();
    const sealed = sealSecret(publicKeyOf(key), 'secret passphrase');
    // header point, nonce, tag, ciphertext
    for (const index of [5, 40, 70, 85, -1]) {
      assert.throws(
        () => openSealed(key, flipBit(sealed, index)),
        (error: unknown) => {
          assert.ok(error instanceof SealError);
          assert.equal(error.reason, 'wrong-key-or-tampered');
          assert.doesNotMatch(error.message, /secret passphrase/);
          return true;
        },
      );
    }
    assert.throws(() => openSealed(key, flipBit(sealed, 0)), {
      name: 'SealError',
      reason: 'unsupported-version',
    });
  });

  it('refuses to open with another key', () => {
    const sealed = sealSecret(publicKeyOf(p256()), 'secret');
    assert.throws(() => openSealed(p256(), sealed), { name: 'SealError', reason: 'wrong-key-or-tampered' });
  });

  it('refuses malformed input with a precise error', () => {
    const key = p256();
    assert.throws(() => openSealed(key, 'not base64!'), { reason: 'malformed' });
    assert.throws(() => openSealed(key, 'AAAA'), { reason: 'malformed', message: /3 bytes/ });
    assert.throws(() => openSealed(key, 'A'.repeat(100_000)), { reason: 'malformed' });
    assert.throws(() => sealSecret('AAAA', 'x'), { reason: 'bad-key' });
  });

  it('loads the SEC1 key openssl (and Helm genPrivateKey "ecdsa") writes, and PKCS#8', () => {
    const sec1 = execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'], {
      encoding: 'utf8',
    });
    assert.match(sec1, /-----BEGIN EC PRIVATE KEY-----/);
    const fromSec1 = loadSealingKey(sec1);
    const pkcs8 = fromSec1.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.match(pkcs8, /-----BEGIN PRIVATE KEY-----/);
    const fromPkcs8 = loadSealingKey(pkcs8);
    assert.equal(publicKeyOf(fromPkcs8), publicKeyOf(fromSec1));
    assert.equal(openSealed(fromPkcs8, sealSecret(publicKeyOf(fromSec1), 'secret')), 'secret');
  });

  it('refuses keys that are not P-256, naming what it got', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const ed = generateKeyPairSync('ed25519').privateKey;
    assert.throws(() => loadSealingKey(p384.export({ type: 'sec1', format: 'pem' }).toString()), {
      reason: 'bad-key',
      message: /P-256.*got private EC secp384r1/,
    });
    assert.throws(() => loadSealingKey(rsa.export({ type: 'pkcs8', format: 'pem' }).toString()), {
      message: /got private rsa/,
    });
    assert.throws(() => loadSealingKey(ed.export({ type: 'pkcs8', format: 'pem' }).toString()), {
      message: /got private ed25519/,
    });
    assert.throws(
      () => loadSealingKey('-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n'),
      {
        reason: 'bad-key',
        message: /not a readable PEM private key/,
      },
    );
    assert.throws(() => openSealed(p384, 'AAAA'), { reason: 'bad-key' });
  });
});
