import path from 'node:path';

// A kubeconfig user's exec credential plugin (client.authentication.k8s.io), as kubectl runs it:
// the plugin prints an ExecCredential with a bearer token or a client certificate.

const API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];
/** Run the plugin again this long before its credential expires (at most half its lifetime). */
const EXPIRY_MARGIN_MS = 30_000;
/** The operator has no terminal, so a plugin waiting for a person would wait forever. */
const PLUGIN_TIMEOUT_MS = 120_000;
const STDERR_LINES = 5;

export class ExecCredentialError extends Error {}

export interface ExecConfig {
  /** The kubeconfig user's name, for messages. */
  user: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  apiVersion: string;
  installHint?: string | undefined;
  /** The ExecCredential the plugin gets in KUBERNETES_EXEC_INFO. */
  execInfo: string;
}

/** The cluster as the plugin sees it when the kubeconfig sets provideClusterInfo. */
export interface ExecClusterInfo {
  server: string;
  'certificate-authority-data'?: string | undefined;
  'insecure-skip-tls-verify'?: boolean | undefined;
  'tls-server-name'?: string | undefined;
  config?: unknown;
}

export interface ExecCredential {
  token?: string | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** Milliseconds since the epoch; absent: valid until the apiserver rejects it. */
  expiresAt?: number | undefined;
}

/**
 * Validates a kubeconfig `users[].user.exec` block. `dir` is the kubeconfig's directory: a command
 * with a path separator is relative to it; a bare name is looked up on PATH.
 */
export function execConfig(user: string, exec: unknown, dir: string, cluster: ExecClusterInfo): ExecConfig {
  const where = `user ${user}: exec`;
  if (typeof exec !== 'object' || exec === null) throw new ExecCredentialError(`${where} must be a mapping`);
  const e = exec as Record<string, unknown>;
  if (typeof e.command !== 'string' || e.command === '')
    throw new ExecCredentialError(`${where}.command is missing: name the credential plugin to run`);
  if (typeof e.apiVersion !== 'string' || !API_VERSIONS.includes(e.apiVersion)) {
    throw new ExecCredentialError(
      `${where}.apiVersion ${JSON.stringify(e.apiVersion)} is not supported: use ${API_VERSIONS.join(' or ')}`,
    );
  }
  const interactiveMode =
    e.interactiveMode ?? (e.apiVersion.endsWith('/v1beta1') ? 'IfAvailable' : undefined);
  if (interactiveMode === 'Always') {
    throw new ExecCredentialError(
      `${where}.interactiveMode is Always, but the operator has no terminal: log in beforehand (e.g. aws sso login) and set IfAvailable or Never`,
    );
  }
  if (interactiveMode !== 'IfAvailable' && interactiveMode !== 'Never') {
    throw new ExecCredentialError(
      `${where}.interactiveMode ${interactiveMode === undefined ? `is missing (${e.apiVersion} requires it)` : `${JSON.stringify(interactiveMode)} is not a mode`}: set IfAvailable or Never`,
    );
  }
  const args = e.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
    throw new ExecCredentialError(`${where}.args must be a list of strings`);
  const env: Record<string, string> = {};
  for (const item of (e.env ?? []) as unknown[]) {
    const { name, value } = (item ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || typeof value !== 'string')
      throw new ExecCredentialError(`${where}.env entries need a string name and value`);
    env[name] = value;
  }
  const command =
    e.command.includes('/') || e.command.includes(path.sep) ? path.resolve(dir, e.command) : e.command;
  const spec = e.provideClusterInfo === true ? { cluster, interactive: false } : { interactive: false };
  return {
    user,
    command,
    args,
    env,
    apiVersion: e.apiVersion,
    installHint: typeof e.installHint === 'string' ? e.installHint : undefined,
    execInfo: JSON.stringify({ apiVersion: e.apiVersion, kind: 'ExecCredential', spec }),
  };
}

/** The credential in a plugin's stdout, checked against what the kubeconfig asked for. */
export function parseExecCredential(stdout: string, config: ExecConfig): ExecCredential {
  const where = `user ${config.user}: exec plugin ${config.command}`;
  let output: { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> };
  try {
    output = JSON.parse(stdout);
  } catch {
    throw new ExecCredentialError(`${where} printed no JSON ExecCredential on stdout`);
  }
  if (output?.kind !== 'ExecCredential' || output.apiVersion !== config.apiVersion) {
    throw new ExecCredentialError(
      `${where} printed kind ${String(output?.kind)} apiVersion ${String(output?.apiVersion)}; the kubeconfig asks for an ExecCredential of ${config.apiVersion}`,
    );
  }
  const status = output.status ?? {};
  const text = (field: string) => {
    const value = status[field];
    if (value !== undefined && typeof value !== 'string')
      throw new ExecCredentialError(`${where}: status.${field} must be a string`);
    return value || undefined;
  };
  const token = text('token');
  const cert = text('clientCertificateData');
  const key = text('clientKeyData');
  if (Boolean(cert) !== Boolean(key)) {
    throw new ExecCredentialError(
      `${where}: status has ${cert ? 'clientCertificateData without clientKeyData' : 'clientKeyData without clientCertificateData'}`,
    );
  }
  if (!token && !cert)
    throw new ExecCredentialError(
      `${where}: status has neither a token nor clientCertificateData and clientKeyData`,
    );
  const expiration = text('expirationTimestamp');
  const expiresAt = expiration === undefined ? undefined : Date.parse(expiration);
  if (expiresAt !== undefined && Number.isNaN(expiresAt))
    throw new ExecCredentialError(
      `${where}: status.expirationTimestamp ${expiration} is not an RFC 3339 time`,
    );
  return {
    token,
    cert: cert === undefined ? undefined : Buffer.from(cert),
    key: key === undefined ? undefined : Buffer.from(key),
    expiresAt,
  };
}

/** Runs the plugin without a terminal; resolves with its stdout. */
export async function runExecPlugin(config: ExecConfig): Promise<string> {
  const where = `user ${config.user}: exec plugin ${config.command}`;
  // Loaded on first use: in a cluster (no plugin) the operator does not pay for child_process.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = execFile(
      config.command,
      config.args,
      {
        env: { ...process.env, ...config.env, KUBERNETES_EXEC_INFO: config.execInfo },
        timeout: PLUGIN_TIMEOUT_MS,
        maxBuffer: 1 << 20,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          const hint = config.installHint ? `\n${config.installHint.trim()}` : '';
          return reject(
            new ExecCredentialError(
              `${where} was not found (${path.isAbsolute(config.command) ? 'no such file' : 'not on PATH'}): install it or fix users[].user.exec.command${hint}`,
            ),
          );
        }
        if (code === 'EACCES')
          return reject(new ExecCredentialError(`${where} is not executable: chmod +x it`));
        const lines = stderr.trim().split('\n').slice(0, STDERR_LINES).join('\n');
        const how = error.killed
          ? `did not finish within ${PLUGIN_TIMEOUT_MS / 1000} s (does it wait for a person to log in?)`
          : `exited with ${error.signal ? `signal ${error.signal}` : `code ${String(code)}`}`;
        reject(new ExecCredentialError(`${where} ${how}${lines ? `; its stderr begins:\n${lines}` : ''}`));
      },
    );
    child.stdin?.end();
  });
}

/**
 * The plugin's credential, run once and kept until shortly before it expires, or, without an
 * expiry, until the apiserver rejects it. Concurrent callers share one run.
 */
export class ExecCredentialSource {
  readonly #run: () => Promise<ExecCredential>;
  readonly #now: () => number;
  #cached: ExecCredential | undefined;
  #refreshAt = Number.POSITIVE_INFINITY;
  #running: Promise<ExecCredential> | undefined;

  constructor(run: () => Promise<ExecCredential>, now: () => number = Date.now) {
    this.#run = run;
    this.#now = now;
  }

  static forConfig(config: ExecConfig): ExecCredentialSource {
    return new ExecCredentialSource(async () => parseExecCredential(await runExecPlugin(config), config));
  }

  credential(): Promise<ExecCredential> {
    if (this.#cached && this.#now() < this.#refreshAt) return Promise.resolve(this.#cached);
    this.#running ??= this.#run()
      .then((credential) => {
        const { expiresAt } = credential;
        const lifetime = expiresAt === undefined ? 0 : expiresAt - this.#now();
        this.#refreshAt =
          expiresAt === undefined
            ? Number.POSITIVE_INFINITY
            : expiresAt - Math.min(EXPIRY_MARGIN_MS, Math.max(0, lifetime / 2));
        this.#cached = credential;
        return credential;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /** The apiserver answered 401 to a request that carried `token`: the next request runs the plugin. */
  rejected(token: string | undefined): void {
    if (this.#cached && this.#cached.token === token) this.#cached = undefined;
  }
}
