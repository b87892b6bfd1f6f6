import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ExecCredentialError, ExecCredentialSource, execConfig } from './exec-credential.js';

/** Where the apiserver is and how to authenticate: what the operator needs from a kubeconfig. */
export interface KubeTarget {
  server: string;
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /**
   * The bearer token now; in-cluster tokens rotate, so it is read when needed. An exec credential
   * plugin answers asynchronously.
   */
  token?: (() => string | undefined | Promise<string | undefined>) | undefined;
  /** A client certificate that changes over time (from an exec plugin); `cert`/`key` are fixed. */
  clientCertificate?: (() => Promise<{ cert: Buffer; key: Buffer } | undefined>) | undefined;
  /** The apiserver answered 401 to a request that carried `token`: credentials are fetched anew. */
  rejected?: ((token: string | undefined) => void) | undefined;
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
      extensions?: Named<{ extension?: unknown }>[];
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

/** The current context of a kubeconfig file (token, tokenFile, client certificate or exec users). */
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
  if (user['auth-provider']) {
    throw new KubeconfigError(
      `${file}: user ${context.user} uses an auth-provider, which Kubernetes removed; switch to its exec credential plugin (gke-gcloud-auth-plugin, kubelogin, or your OIDC provider's plugin)`,
    );
  }
  const ca = material(dir, cluster['certificate-authority'], cluster['certificate-authority-data']);
  const target: KubeTarget = {
    server: cluster.server,
    ca,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'],
    tlsServerName: cluster['tls-server-name'],
    namespace: context.namespace,
  };
  if (user.exec) {
    let source: ExecCredentialSource;
    try {
      source = ExecCredentialSource.forConfig(
        execConfig(String(context.user), user.exec, dir, {
          server: cluster.server,
          'certificate-authority-data': ca?.toString('base64'),
          'insecure-skip-tls-verify': cluster['insecure-skip-tls-verify'],
          'tls-server-name': cluster['tls-server-name'],
          config: cluster.extensions?.find((e) => e.name === 'client.authentication.k8s.io/exec')?.extension,
        }),
      );
    } catch (error) {
      if (error instanceof ExecCredentialError) throw new KubeconfigError(`${file}: ${error.message}`);
      throw error;
    }
    target.token = async () => (await source.credential()).token;
    target.clientCertificate = async () => {
      const { cert, key } = await source.credential();
      return cert && key ? { cert, key } : undefined;
    };
    target.rejected = (token) => source.rejected(token);
    return target;
  }
  const tokenFile = user.tokenFile;
  return {
    ...target,
    cert: material(dir, user['client-certificate'], user['client-certificate-data']),
    key: material(dir, user['client-key'], user['client-key-data']),
    token: user.token
      ? () => user.token ?? ''
      : tokenFile
        ? () => fs.readFileSync(path.resolve(dir, tokenFile), 'utf8').trim()
        : undefined,
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
