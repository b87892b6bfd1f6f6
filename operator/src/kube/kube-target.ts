import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

/** Where the apiserver is and how to authenticate: what the operator needs from a kubeconfig. */
export interface KubeTarget {
  server: string;
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** The bearer token now; in-cluster tokens rotate, so it is read when needed. */
  token?: (() => string) | undefined;
  insecureSkipTlsVerify?: boolean | undefined;
  tlsServerName?: string | undefined;
  /** The namespace of the current context, or the pod's own namespace in a cluster. */
  namespace?: string | undefined;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export class KubeconfigError extends Error {}

type Named<T> = { name: string } & T;
interface Kubeconfig {
  'current-context'?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string; namespace?: string } }>[];
  clusters?: Named<{
    cluster?: {
      server?: string;
      'certificate-authority'?: string;
      'certificate-authority-data'?: string;
      'insecure-skip-tls-verify'?: boolean;
      'tls-server-name'?: string;
    };
  }>[];
  users?: Named<{
    user?: {
      token?: string;
      tokenFile?: string;
      'client-certificate'?: string;
      'client-certificate-data'?: string;
      'client-key'?: string;
      'client-key-data'?: string;
      exec?: unknown;
      'auth-provider'?: unknown;
    };
  }>[];
}

/** A value given inline (base64 `-data`) or as a file path relative to the kubeconfig. */
function material(dir: string, file: string | undefined, data: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return fs.readFileSync(path.resolve(dir, file));
  return undefined;
}

/** The current context of a kubeconfig file (token, client certificate or tokenFile users). */
export function loadKubeconfig(file: string): KubeTarget {
  const config = parse(fs.readFileSync(file, 'utf8')) as Kubeconfig;
  const dir = path.dirname(file);
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new KubeconfigError(`${file}: no current context`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server)
    throw new KubeconfigError(`${file}: context ${contextName} has no cluster with a server`);
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (user.exec || user['auth-provider']) {
    throw new KubeconfigError(
      `${file}: exec and auth-provider credentials are not supported; use a token or a client certificate`,
    );
  }
  const tokenFile = user.tokenFile;
  return {
    server: cluster.server,
    ca: material(dir, cluster['certificate-authority'], cluster['certificate-authority-data']),
    cert: material(dir, user['client-certificate'], user['client-certificate-data']),
    key: material(dir, user['client-key'], user['client-key-data']),
    token: user.token
      ? () => user.token ?? ''
      : tokenFile
        ? () => fs.readFileSync(path.resolve(dir, tokenFile), 'utf8').trim()
        : undefined,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'],
    tlsServerName: cluster['tls-server-name'],
    namespace: context.namespace,
  };
}

/** Inside a pod: the service's address from the environment, the ServiceAccount's mounted token. */
export function loadInCluster(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): KubeTarget {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new KubeconfigError('not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set');
  let cached = { token: '', readAt: 0 };
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: fs.readFileSync(path.join(dir, 'ca.crt')),
    // The kubelet rotates the projected token; re-read it every minute.
    token: () => {
      if (Date.now() - cached.readAt > 60_000) {
        cached = { token: fs.readFileSync(path.join(dir, 'token'), 'utf8').trim(), readAt: Date.now() };
      }
      return cached.token;
    },
    namespace: fs.existsSync(path.join(dir, 'namespace'))
      ? fs.readFileSync(path.join(dir, 'namespace'), 'utf8').trim()
      : undefined,
  };
}

/** `file`, else $KUBECONFIG (its first file), else in-cluster, else ~/.kube/config. */
export function loadKubeTarget(file?: string, env: NodeJS.ProcessEnv = process.env): KubeTarget {
  if (file) return loadKubeconfig(file);
  const fromEnv = env.KUBECONFIG?.split(path.delimiter).find(Boolean);
  if (fromEnv) return loadKubeconfig(fromEnv);
  if (env.KUBERNETES_SERVICE_HOST) return loadInCluster(env);
  return loadKubeconfig(path.join(os.homedir(), '.kube', 'config'));
}
