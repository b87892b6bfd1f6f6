// SRT passphrases sealed, as an ingest pod seals them, to a listener key made with openssl.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadSealingKey, openSealed, publicKeyOf, sealSecret } from '../../src/registry/index.js';

const run = promisify(execFile);

export interface TestSealing {
  /** The private key's PEM file (for --sealing-key-file). */
  keyFile: string;
  seal(passphrase: string): string;
  open(sealed: string): string;
}

/** A fresh P-256 key in `dir` (`openssl ecparam -name prime256v1 -genkey -noout`). */
export async function testSealing(dir: string): Promise<TestSealing> {
  const keyFile = join(dir, 'sealing-key.pem');
  await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
  const privateKey = loadSealingKey(await readFile(keyFile, 'utf8'));
  const publicKey = publicKeyOf(privateKey);
  return {
    keyFile,
    seal: (passphrase) => sealSecret(publicKey, passphrase),
    open: (sealed) => openSealed(privateKey, sealed),
  };
}
