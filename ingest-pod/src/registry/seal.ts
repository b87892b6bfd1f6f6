// Seals a secret (an SRT passphrase) to the push-listener's public key so it can cross NATS: ECIES
// on P-256 with an ephemeral key per message, HKDF-SHA256, AES-256-GCM. Only node:crypto.
//
// Sealed form, base64 of: version (1) | ephemeral public point, uncompressed (65) | nonce (12) |
// GCM tag (16) | ciphertext. Version and point are also authenticated as GCM additional data.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

export type SealErrorReason =
  /** Not a sealed secret at all (bad base64, too short, too long). */
  | 'malformed'
  /** A version this code does not know. */
  | 'unsupported-version'
  /** Sealed to another key, or altered on the way. GCM cannot tell the two apart. */
  | 'wrong-key-or-tampered'
  /** A key that is not a P-256 EC key (or not a key). */
  | 'bad-key';

export class SealError extends Error {
  constructor(
    readonly reason: SealErrorReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SealError';
  }
}

const VERSION = 1;
const CURVE = 'prime256v1';
const POINT_BYTES = 65;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + POINT_BYTES;
const MIN_SEALED_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;
/** SRT passphrases are at most 79 characters; anything much larger is a mistake. */
export const MAX_SECRET_BYTES = 1024;
const MAX_SEALED_BYTES = MIN_SEALED_BYTES + MAX_SECRET_BYTES;
const HKDF_INFO = Buffer.from('tributary push-listener sealed secret v1');

/** Seals `plaintext` so only the holder of the listener's private key can read it. */
export function sealSecret(listenerPublicKeySpkiBase64: string, plaintext: string): string {
  const recipient = publicKeyFromSpki(listenerPublicKeySpkiBase64);
  const secret = Buffer.from(plaintext, 'utf8');
  if (secret.length > MAX_SECRET_BYTES) {
    throw new TypeError(`the secret is ${secret.length} bytes; at most ${MAX_SECRET_BYTES} can be sealed`);
  }
  const ephemeral = generateKeyPairSync('ec', { namedCurve: CURVE });
  const header = Buffer.concat([Buffer.of(VERSION), pointOf(ephemeral.publicKey)]);
  const key = deriveKey(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }), header);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(header);
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
  return Buffer.concat([header, nonce, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/** Opens a sealed secret; throws SealError naming what was wrong (never the secret). */
export function openSealed(privateKey: KeyObject, sealed: string): string {
  checkP256(privateKey, 'private');
  if (sealed.length > Math.ceil(MAX_SEALED_BYTES / 3) * 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(sealed)) {
    throw new SealError('malformed', 'the sealed secret is not base64 of at most the allowed size');
  }
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < MIN_SEALED_BYTES) {
    throw new SealError(
      'malformed',
      `the sealed secret is ${bytes.length} bytes, shorter than any sealed secret`,
    );
  }
  if (bytes[0] !== VERSION)
    throw new SealError('unsupported-version', `unknown sealed secret version ${bytes[0]}`);
  const header = bytes.subarray(0, HEADER_BYTES);
  const nonce = bytes.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const tag = bytes.subarray(HEADER_BYTES + NONCE_BYTES, MIN_SEALED_BYTES);
  const ciphertext = bytes.subarray(MIN_SEALED_BYTES);
  let ephemeral: KeyObject;
  try {
    ephemeral = publicKeyFromPoint(header.subarray(1));
  } catch (error) {
    throw new SealError('wrong-key-or-tampered', 'the sealed secret carries no valid P-256 point', {
      cause: error,
    });
  }
  const key = deriveKey(diffieHellman({ privateKey, publicKey: ephemeral }), header);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce).setAAD(header).setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new SealError(
      'wrong-key-or-tampered',
      'the sealed secret does not open with this key (sealed to another key, or altered)',
      { cause: error },
    );
  }
}

/**
 * The listener's private key from PEM: SEC1 ("EC PRIVATE KEY", what Helm's genPrivateKey "ecdsa"
 * emits) or PKCS#8. Refuses anything but P-256.
 */
export function loadSealingKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    // Node's message names the parse failure, never the key material.
    throw new SealError(
      'bad-key',
      `the sealing key is not a readable PEM private key: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  checkP256(key, 'private');
  return key;
}

/** The public half of the listener's key as SPKI DER in base64: what sealers are given. */
export function publicKeyOf(privateKey: KeyObject): string {
  checkP256(privateKey, 'private');
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
}

function publicKeyFromSpki(spkiBase64: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
  } catch (error) {
    throw new SealError('bad-key', 'the listener public key is not base64 SPKI DER', { cause: error });
  }
  checkP256(key, 'public');
  return key;
}

function checkP256(key: KeyObject, type: 'public' | 'private'): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.type !== type || key.asymmetricKeyType !== 'ec' || curve !== CURVE) {
    const found =
      key.asymmetricKeyType === 'ec' ? `EC ${curve ?? 'unknown curve'}` : (key.asymmetricKeyType ?? key.type);
    throw new SealError('bad-key', `expected a P-256 (prime256v1) EC ${type} key, got ${key.type} ${found}`);
  }
}

function pointOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

function publicKeyFromPoint(point: Buffer): KeyObject {
  if (point[0] !== 4) throw new Error('not an uncompressed point');
  const x = point.subarray(1, 33).toString('base64url');
  const y = point.subarray(33, 65).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
}

/** The header (version and ephemeral point) is the salt: one key per message, bound to its version. */
function deriveKey(sharedSecret: Buffer, header: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', sharedSecret, header, HKDF_INFO, 32));
}
