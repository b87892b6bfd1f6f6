// The listener checks an RTMP publisher's key against an scrypt hash, never the key itself.
// scrypt runs on the libuv threadpool, which also carries the SRT epoll wait: a flood of wrong keys
// must not take it over. So one scrypt at a time per verifier (one verifier per process), a short
// bounded queue behind it, and a cache of recent outcomes so a repeated wrong key costs nothing.
import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import type { PublishKeyHash } from './registry-api.js';

export type VerifyOutcome = 'match' | 'mismatch' | 'busy';
export type ScryptFunction = (
  password: Buffer,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
) => Promise<Buffer>;

export const PUBLISH_KEY_COST = 16_384;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const HASH_BYTES = 32;
const SALT_BYTES = 16;
/** Costs an entry may ask for: below is too weak to be ours, above would take seconds and 256 MiB. */
const MIN_COST = 2 ** 10;
const MAX_COST = 2 ** 17;

export interface VerifierOptions {
  /** The scrypt implementation (tests count calls through it). */
  scrypt?: ScryptFunction;
  /** Verifications allowed to wait behind the running one; more are answered 'busy'. */
  maxWaiting?: number;
  /** Recent outcomes remembered. */
  cacheEntries?: number;
}

export interface PublishKeyVerifier {
  hash(key: string): Promise<PublishKeyHash>;
  verify(hash: PublishKeyHash, presented: string): Promise<VerifyOutcome>;
}

const nodeScrypt: ScryptFunction = (password, salt, keyLength, options) =>
  new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, derived) =>
      error ? reject(error) : resolve(derived),
    );
  });

export function createPublishKeyVerifier(options: VerifierOptions = {}): PublishKeyVerifier {
  const derive = options.scrypt ?? nodeScrypt;
  const maxWaiting = options.maxWaiting ?? 32;
  const cacheEntries = options.cacheEntries ?? 256;
  const outcomes = new Map<string, 'match' | 'mismatch'>();
  const inFlight = new Map<string, Promise<VerifyOutcome>>();
  const waiting: (() => void)[] = [];
  let running = false;

  /** Runs `task` when no other scrypt runs; undefined (without running it) if too many wait already. */
  async function exclusive<T>(task: () => Promise<T>, mayRefuse: boolean): Promise<T | undefined> {
    if (running) {
      if (mayRefuse && waiting.length >= maxWaiting) return undefined;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running = true;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running = false;
    }
  }

  function remember(key: string, outcome: 'match' | 'mismatch'): void {
    outcomes.delete(key);
    outcomes.set(key, outcome);
    if (outcomes.size > cacheEntries) outcomes.delete(outcomes.keys().next().value!);
  }

  async function compute(hash: PublishKeyHash, presented: string, cacheKey: string): Promise<VerifyOutcome> {
    const salt = Buffer.from(hash.salt, 'base64');
    const expected = Buffer.from(hash.hash, 'base64');
    let derived: Buffer | undefined;
    try {
      derived = await exclusive(
        () => derive(Buffer.from(presented, 'utf8'), salt, HASH_BYTES, scryptOptions(hash.cost)),
        true,
      );
    } catch {
      // scrypt refused the parameters (e.g. out of memory): not a key we can accept. Not cached.
      return 'mismatch';
    }
    if (derived === undefined) return 'busy';
    const outcome = timingSafeEqual(derived, expected) ? 'match' : 'mismatch';
    remember(cacheKey, outcome);
    return outcome;
  }

  return {
    async hash(key) {
      const salt = randomBytes(SALT_BYTES);
      const derived = await exclusive(
        () => derive(Buffer.from(key, 'utf8'), salt, HASH_BYTES, scryptOptions(PUBLISH_KEY_COST)),
        false,
      );
      return { salt: salt.toString('base64'), hash: derived!.toString('base64'), cost: PUBLISH_KEY_COST };
    },

    async verify(hash, presented) {
      // The entry is untrusted: parameters no registering pod would write are simply a mismatch.
      if (!acceptableHash(hash)) return 'mismatch';
      const presentedDigest = createHash('sha256').update(presented, 'utf8').digest('base64');
      const cacheKey = `${hash.cost}:${hash.salt}:${hash.hash}:${presentedDigest}`;
      const known = outcomes.get(cacheKey);
      if (known !== undefined) {
        remember(cacheKey, known);
        return known;
      }
      // Concurrent attempts with the same key share one scrypt.
      let pending = inFlight.get(cacheKey);
      if (pending === undefined) {
        pending = compute(hash, presented, cacheKey).finally(() => inFlight.delete(cacheKey));
        inFlight.set(cacheKey, pending);
      }
      return pending;
    },
  };
}

function scryptOptions(cost: number): ScryptOptions {
  // scrypt needs 128 * N * r bytes; Node's default limit (32 MiB) is below what 2^17 asks.
  return { N: cost, r: BLOCK_SIZE, p: PARALLELISM, maxmem: 128 * cost * BLOCK_SIZE + 1024 * 1024 };
}

function acceptableHash(hash: PublishKeyHash): boolean {
  const { cost } = hash;
  if (!Number.isInteger(cost) || cost < MIN_COST || cost > MAX_COST || (cost & (cost - 1)) !== 0)
    return false;
  const salt = Buffer.from(hash.salt, 'base64');
  return (
    salt.length >= SALT_BYTES && salt.length <= 64 && Buffer.from(hash.hash, 'base64').length === HASH_BYTES
  );
}

const processVerifier = createPublishKeyVerifier();

/** Hashes a publish key for a route entry (scrypt, random 16-byte salt, N = 16384). */
export function hashPublishKey(key: string): Promise<PublishKeyHash> {
  return processVerifier.hash(key);
}

/** Checks a presented key against a route's hash; 'busy' when too many checks are waiting. */
export function verifyPublishKey(hash: PublishKeyHash, presented: string): Promise<VerifyOutcome> {
  return processVerifier.verify(hash, presented);
}
