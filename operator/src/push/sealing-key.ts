import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A sealing key that cannot be used: not a key, or not EC P-256. The message says which. */
export class SealingKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SealingKeyError';
  }
}

/**
 * The public half of the push-listener's sealing key (a PEM EC P-256 key, private or public) as
 * SPKI DER in base64: what ingest pods seal SRT passphrases to. Never returns or logs the private key.
 */
export function sealingPublicKey(pem: string | Buffer): string {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    // The crypto error can quote the input; say only what kind of problem it is.
    const code = (error as { code?: string }).code;
    throw new SealingKeyError(`not a PEM key${code ? ` (${code})` : ''}`);
  }
  if (key.asymmetricKeyType !== 'ec') {
    throw new SealingKeyError(
      `an EC P-256 key is needed, this is a ${key.asymmetricKeyType ?? 'unknown'} key`,
    );
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1') {
    throw new SealingKeyError(
      `an EC key on P-256 (prime256v1) is needed, this one is on ${curve ?? 'an unknown curve'}`,
    );
  }
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** Reads the key file and derives the public key; errors name the file, never its content. */
export function readSealingPublicKey(file: string): string {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new SealingKeyError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return sealingPublicKey(pem);
  } catch (error) {
    throw new SealingKeyError(`${file}: ${(error as Error).message}`);
  }
}
