import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertFiles {
  cert: string;
  key: string;
}

export interface ClientIdentity extends CertFiles {
  user: string;
  groups: string[];
}

/** Everything the control plane needs for TLS, client-certificate auth and service-account tokens. */
export interface ClusterPki {
  caCert: string;
  caKey: string;
  serving: CertFiles;
  admin: ClientIdentity;
  controllerManager: ClientIdentity;
  scheduler: ClientIdentity;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  } catch (error) {
    const e = error as { code?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('the cluster harness needs the openssl command (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? String(error)}`);
  }
}

// Distinguished names are written as /O=a/O=b/CN=c; a slash inside a value is not expected here.
function subject(commonName: string, organizations: string[]): string {
  return `${organizations.map((o) => `/O=${o}`).join('')}/CN=${commonName}`;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const DAYS = '3650';

async function issue(
  dir: string,
  ca: CertFiles,
  name: string,
  subj: string,
  extensions: string[],
): Promise<CertFiles> {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  await fs.writeFile(ext, `${extensions.join('\n')}\n`);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-subj', subj, '-out', csr]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    `0x${crypto.randomBytes(12).toString('hex')}`,
    '-days',
    DAYS,
    '-extfile',
    ext,
    '-out',
    cert,
  ]);
  await Promise.all([fs.rm(csr), fs.rm(ext)]);
  return { cert, key };
}

async function client(dir: string, ca: CertFiles, name: string, user: string, groups: string[]) {
  const files = await issue(dir, ca, name, subject(user, groups), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ]);
  return { ...files, user, groups };
}

/** Generates a fresh CA, the apiserver's serving cert, client certs and the service-account key pair. */
export async function generatePki(dir: string): Promise<ClusterPki> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
  await openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-subj',
    '/CN=tributary-test-ca',
    '-days',
    DAYS,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);

  const serviceAccountKey = path.join(dir, 'sa.key');
  const serviceAccountPub = path.join(dir, 'sa.pub');
  const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await fs.writeFile(serviceAccountKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  await fs.writeFile(serviceAccountPub, pair.publicKey.export({ type: 'spki', format: 'pem' }));

  const [serving, admin, controllerManager, scheduler] = await Promise.all([
    issue(dir, ca, 'apiserver', '/CN=kube-apiserver', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
    ]),
    client(dir, ca, 'admin', 'tributary-admin', ['system:masters']),
    client(dir, ca, 'controller-manager', 'system:kube-controller-manager', []),
    client(dir, ca, 'scheduler', 'system:kube-scheduler', []),
  ]);
  return {
    caCert: ca.cert,
    caKey: ca.key,
    serving,
    admin,
    controllerManager,
    scheduler,
    serviceAccountKey,
    serviceAccountPub,
  };
}
