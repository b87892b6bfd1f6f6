import fs from 'node:fs';
import { stringify } from 'yaml';
import type { CertFiles } from './pki.js';

const b64 = (file: string) => fs.readFileSync(file).toString('base64');

/** A self-contained kubeconfig (certificates inlined) for one user of one cluster. */
export function kubeconfigYaml(options: {
  server: string;
  caCert: string;
  user: string;
  client?: CertFiles;
  token?: string;
  namespace?: string;
}): string {
  const user: Record<string, string> = {};
  if (options.client) {
    user['client-certificate-data'] = b64(options.client.cert);
    user['client-key-data'] = b64(options.client.key);
  }
  if (options.token) user.token = options.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'tributary',
        cluster: { server: options.server, 'certificate-authority-data': b64(options.caCert) },
      },
    ],
    users: [{ name: options.user, user }],
    contexts: [
      {
        name: 'tributary',
        context: {
          cluster: 'tributary',
          user: options.user,
          ...(options.namespace ? { namespace: options.namespace } : {}),
        },
      },
    ],
    'current-context': 'tributary',
  });
}
