import { createHmac, randomBytes } from 'node:crypto';
import type { KubeApi } from '../kube/api-client.js';
import { readOrCreateSecret, secretText } from '../kube/owned-secret.js';

// Keyed, so a digest kept in memory or mixed into a pod's hash annotation cannot be checked
// against guesses by whoever reads pods. The key must be the same in every operator replica and
// across restarts, or a new leader would see every Secret as rotated and replace its pods: it
// lives in a Secret of the operator's namespace (useSharedDigestKey). Until then, a process key.
let key: Buffer = randomBytes(32);

const KEY_FIELD = 'digest.key';

/**
 * A keyed digest of one Secret value: equal values give equal digests under one key, so a
 * rotation is noticed, while the digest tells nothing about the value.
 */
export function secretValueDigest(value: string): string {
  return createHmac('sha256', key).update(value).digest('hex').slice(0, 32);
}

/** Digests from now on use the key in Secret `<namespace>/<name>`, created when absent. */
export async function useSharedDigestKey(api: KubeApi, namespace: string, name: string): Promise<void> {
  const { secret } = await readOrCreateSecret(api, namespace, name, () => ({
    [KEY_FIELD]: randomBytes(32).toString('base64'),
  }));
  const text = secretText(secret, KEY_FIELD);
  const shared = text === undefined ? undefined : Buffer.from(text, 'base64');
  if (!shared || shared.length < 16)
    throw new Error(`Secret ${namespace}/${name}: key ${KEY_FIELD} is missing or shorter than 16 bytes`);
  setDigestKey(shared);
}

export function setDigestKey(shared: Buffer): void {
  key = shared;
}
