// Publish-key hashes: a correct key matches, a wrong one does not, repeated attempts are cached,
// a flood gets 'busy' instead of queueing scrypt work without bound, absurd costs are refused.
import assert from 'node:assert/strict';
import { type ScryptOptions, scrypt } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createPublishKeyVerifier,
  hashPublishKey,
  PUBLISH_KEY_COST,
  type ScryptFunction,
  verifyPublishKey,
} from '../../src/registry/index.js';

function realScrypt(
  password: Buffer,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A scrypt that blocks until released, to hold the one running slot. */
function gatedScrypt(): { scrypt: ScryptFunction; calls: () => number; open: () => void } {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    scrypt: async () => {
      calls++;
      await gate;
      return Buffer.alloc(32);
    },
    calls: () => calls,
    open: () => release(),
  };
}

describe('publish key hashes', () => {
  it('hashes with a random salt and verifies the right key only', async () => {
    const hash = await hashPublishKey('s3cret-key');
    assert.equal(hash.cost, PUBLISH_KEY_COST);
    assert.equal(Buffer.from(hash.salt, 'base64').length, 16);
    assert.equal(Buffer.from(hash.hash, 'base64').length, 32);
    assert.notEqual((await hashPublishKey('s3cret-key')).salt, hash.salt);
    assert.equal(await verifyPublishKey(hash, 's3cret-key'), 'match');
    assert.equal(await verifyPublishKey(hash, 's3cret-kez'), 'mismatch');
    assert.equal(await verifyPublishKey(hash, ''), 'mismatch');
  });

  it('runs scrypt once for 1000 attempts with the same wrong key', async () => {
    let calls = 0;
    const counting: ScryptFunction = (password, salt, keyLength, options) => {
      calls++;
      return realScrypt(password, salt, keyLength, options);
    };
    const verifier = createPublishKeyVerifier({ scrypt: counting });
    const hash = await verifier.hash('right');
    calls = 0;
    // Half at once (sharing the one in flight), half afterwards (from the cache).
    const first = await Promise.all(Array.from({ length: 500 }, () => verifier.verify(hash, 'wrong')));
    for (let i = 0; i < 500; i++) assert.equal(await verifier.verify(hash, 'wrong'), 'mismatch');
    assert.deepEqual(new Set(first), new Set(['mismatch']));
    assert.equal(calls, 1);
    assert.equal(await verifier.verify(hash, 'right'), 'match');
    assert.equal(await verifier.verify(hash, 'right'), 'match');
    assert.equal(calls, 2);
  });

  it('forgets the least recently used outcome first', async () => {
    let calls = 0;
    const verifier = createPublishKeyVerifier({
      cacheEntries: 2,
      scrypt: (...args) => {
        calls++;
        return realScrypt(...args);
      },
    });
    const hash = await verifier.hash('right');
    calls = 0;
    await verifier.verify(hash, 'a');
    await verifier.verify(hash, 'b');
    await verifier.verify(hash, 'a'); // a is now the most recent
    await verifier.verify(hash, 'c'); // evicts b
    assert.equal(calls, 3);
    await verifier.verify(hash, 'a');
    assert.equal(calls, 3);
    await verifier.verify(hash, 'b');
    assert.equal(calls, 4);
  });

  it('answers busy once the bounded queue behind the one running scrypt is full', async () => {
    const gated = gatedScrypt();
    const verifier = createPublishKeyVerifier({ scrypt: gated.scrypt, maxWaiting: 4 });
    const hash = {
      salt: Buffer.alloc(16, 1).toString('base64'),
      hash: Buffer.alloc(32, 2).toString('base64'),
      cost: 16384,
    };
    const running = verifier.verify(hash, 'key-0');
    const queued = [1, 2, 3, 4].map((i) => verifier.verify(hash, `key-${i}`));
    assert.equal(await verifier.verify(hash, 'key-5'), 'busy');
    assert.equal(gated.calls(), 1, 'only one scrypt runs at a time');
    gated.open();
    assert.deepEqual(await Promise.all([running, ...queued]), Array(5).fill('mismatch'));
    assert.equal(gated.calls(), 5);
    // Busy is not remembered: once the queue drained, the same key is checked.
    assert.equal(await verifier.verify(hash, 'key-5'), 'mismatch');
  });

  it('refuses entries with absurd scrypt parameters without running scrypt', async () => {
    const gated = gatedScrypt();
    const verifier = createPublishKeyVerifier({ scrypt: gated.scrypt });
    const good = await hashPublishKey('k');
    for (const cost of [2 ** 9, 2 ** 18, 2 ** 30, 16383, 0, -16384, 1.5, Number.NaN]) {
      assert.equal(await verifier.verify({ ...good, cost }, 'k'), 'mismatch', `cost ${cost}`);
    }
    assert.equal(await verifier.verify({ ...good, salt: '' }, 'k'), 'mismatch');
    assert.equal(await verifier.verify({ ...good, hash: 'AAAA' }, 'k'), 'mismatch');
    assert.equal(gated.calls(), 0);
  });
});
