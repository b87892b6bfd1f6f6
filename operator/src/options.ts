import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import {
  DEFAULT_SUBJECT_PREFIX,
  isNamespaceName,
  parseDuration,
  subjectPrefixProblem,
} from '@tributary/crds';
import type { NamespaceScope } from './controller/object-cache.js';
import type { NatsAuthOptions } from './nats-auth/nats-credentials.js';
import { readSealingPublicKey } from './push/sealing-key.js';
import type { SecretLabel } from './reconcile/pod-gates.js';
import type { IngestPodDefaults } from './reconcile/pod-manifest.js';

export interface OperatorOptions {
  /** Kubeconfig file; in-cluster or $KUBECONFIG when absent. */
  kubeconfig?: string | undefined;
  namespaces: NamespaceScope;
  /** NATS for the operator (status snapshots) and, unless overridden, for ingest pods. */
  natsUrl?: string | undefined;
  natsCredsFile?: string | undefined;
  ingestNatsUrl?: string | undefined;
  /** Secret (same name in every Stream namespace) with the ingest pods' NATS credentials. */
  ingestNatsCredentials?: { secret: string; key: string } | undefined;
  /**
   * The operator mints every NATS credential from the authority in this Secret (in `namespace`,
   * the operator's own): its own, one per Stream, the push-listener's, the buffer's and one
   * read-only per namespace.
   */
  natsAuth?: NatsAuthOptions | undefined;
  subjectPrefix: string;
  ingestImage: string;
  podDefaults: IngestPodDefaults;
  allowHostPath: boolean;
  allowHostNetwork: boolean;
  /** NFS servers VodMounts may name; '*' for any. */
  allowedNfsServers: '*' | string[];
  requireMemoryLimit: boolean;
  /** Streams may only reference Secrets with this label, and only those are watched. */
  secretLabel?: SecretLabel | undefined;
  metrics: { host: string; port: number };
  leaderElection: {
    enabled: boolean;
    name: string;
    namespace: string;
    identity: string;
    leaseDurationSeconds: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
  resyncMs: number;
  workers: number;
  statusMinIntervalMs: number;
  snapshotStaleMs: number;
  recreateBackoff: { baseMs: number; maxMs: number; resetAfterMs: number };
  push: {
    rtmp?: string | undefined;
    srt?: string | undefined;
    /** The push-listener's public sealing key (SPKI DER, base64), from --push-key-file. */
    listenerKey?: string | undefined;
  };
  logLevel: string;
}

export const USAGE = `usage: tributary-operator [options]   (each option also reads the environment variable in brackets)
  --kubeconfig <file>             [OPERATOR_KUBECONFIG]  default: $KUBECONFIG, else in-cluster
  --namespaces <a,b|all>          [WATCH_NAMESPACES]  default: all
  --nats-url <url>                [NATS_URL]
  --nats-creds <file>             [NATS_CREDS]
  --ingest-nats-url <url>         [INGEST_NATS_URL]   default: --nats-url
  --ingest-nats-creds-secret <name/key>  [INGEST_NATS_CREDS_SECRET]
  --nats-auth-secret <name>       [NATS_AUTH_SECRET]  mint NATS credentials from the keys in this Secret
                                  (operator namespace; created when absent)
  --push-listener-nats-secret <name>  [PUSH_LISTENER_NATS_SECRET]  where the push-listener's credential goes
  --buffer-nats-secret <name>     [BUFFER_NATS_SECRET]  where the buffer's credential goes (operator namespace)
  --buffer-namespaces <a,b>       [BUFFER_NAMESPACES]  whose Streams the buffer may hear; default: all
  --reader-nats-secret <name>     [READER_NATS_SECRET]  per-namespace read-only credential; default: tributary-nats-reader
  --nats-ca-file <pem>            [NATS_CA_FILE]      CA of a TLS NATS, handed to every pod with its credential
  --subject-prefix <prefix>       [SUBJECT_PREFIX]    default: tributary
  --ingest-image <image>          [INGEST_IMAGE]
  --pod-defaults <json>           [INGEST_POD_DEFAULTS]  {resources, nodeSelector, tolerations, ...}
  --default-requests <cpu=..,memory=..>  --default-limits <...>
  --allow-host-path <true|false>  [ALLOW_HOST_PATH]   default: false
  --allow-host-network <true|false>  [ALLOW_HOST_NETWORK]  default: false
  --allowed-nfs-servers <host,host|*>  [ALLOWED_NFS_SERVERS]  default: none
  --require-memory-limit <true|false>  [REQUIRE_MEMORY_LIMIT]  default: true
  --secret-label <key=value>      [SECRET_LABEL]      default: off (any Secret of the namespace)
  --metrics-listen <host:port>    [METRICS_ADDR]      default: 0.0.0.0:8080
  --leader-elect <true|false>     [LEADER_ELECTION]   default: true
  --lease-name <name> [LEASE_NAME]  --lease-namespace <ns> [POD_NAMESPACE]  --identity <id> [POD_NAME]
  --lease-duration, --renew-deadline, --retry-period <duration>  [LEASE_DURATION, LEASE_RENEW_DEADLINE, LEASE_RETRY_PERIOD]
  --resync-period <duration>      [RESYNC_PERIOD]     default: 5m
  --workers <n>                   [WORKERS]           default: 8
  --push-rtmp-url <url> [PUSH_RTMP_URL]  --push-srt-url <url> [PUSH_SRT_URL]
  --push-key-file <pem>           [PUSH_SEALING_KEY_FILE]  the push-listener's EC P-256 key (only its public half is used)
  --log-level <level>             [LOG_LEVEL]         default: info`;

const FLAGS = {
  kubeconfig: 'OPERATOR_KUBECONFIG',
  namespaces: 'WATCH_NAMESPACES',
  'nats-url': 'NATS_URL',
  'nats-creds': 'NATS_CREDS',
  'ingest-nats-url': 'INGEST_NATS_URL',
  'ingest-nats-creds-secret': 'INGEST_NATS_CREDS_SECRET',
  'nats-auth-secret': 'NATS_AUTH_SECRET',
  'push-listener-nats-secret': 'PUSH_LISTENER_NATS_SECRET',
  'buffer-nats-secret': 'BUFFER_NATS_SECRET',
  'buffer-namespaces': 'BUFFER_NAMESPACES',
  'reader-nats-secret': 'READER_NATS_SECRET',
  'nats-ca-file': 'NATS_CA_FILE',
  'subject-prefix': 'SUBJECT_PREFIX',
  'ingest-image': 'INGEST_IMAGE',
  'pod-defaults': 'INGEST_POD_DEFAULTS',
  'default-requests': 'DEFAULT_REQUESTS',
  'default-limits': 'DEFAULT_LIMITS',
  'allow-host-path': 'ALLOW_HOST_PATH',
  'allow-host-network': 'ALLOW_HOST_NETWORK',
  'allowed-nfs-servers': 'ALLOWED_NFS_SERVERS',
  'require-memory-limit': 'REQUIRE_MEMORY_LIMIT',
  'secret-label': 'SECRET_LABEL',
  'metrics-listen': 'METRICS_ADDR',
  'leader-elect': 'LEADER_ELECTION',
  'lease-name': 'LEASE_NAME',
  'lease-namespace': 'POD_NAMESPACE',
  identity: 'POD_NAME',
  'lease-duration': 'LEASE_DURATION',
  'renew-deadline': 'LEASE_RENEW_DEADLINE',
  'retry-period': 'LEASE_RETRY_PERIOD',
  'resync-period': 'RESYNC_PERIOD',
  workers: 'WORKERS',
  'status-interval': 'STATUS_MIN_INTERVAL',
  'push-rtmp-url': 'PUSH_RTMP_URL',
  'push-srt-url': 'PUSH_SRT_URL',
  'push-key-file': 'PUSH_SEALING_KEY_FILE',
  'log-level': 'LOG_LEVEL',
} as const;

export class OptionsError extends Error {}

function durationMs(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new OptionsError(`--${flag}: "${text}" is not a duration such as 15s or 1m`);
  return ms;
}

function quantities(flag: string, text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [name, value] = pair.split('=');
    if (!name || !value)
      throw new OptionsError(`--${flag}: write name=quantity pairs, e.g. cpu=100m,memory=96Mi`);
    out[name.trim()] = value.trim();
  }
  return out;
}

function bool(text: string | undefined, fallback: boolean): boolean {
  if (text === undefined || text === '') return fallback;
  return /^(1|true|yes|on)$/i.test(text);
}

function podDefaults(values: Record<string, string | undefined>): IngestPodDefaults {
  let defaults: IngestPodDefaults = {
    resources: { requests: { cpu: '100m', memory: '96Mi' }, limits: { memory: '384Mi' } },
  };
  const json = values['pod-defaults'];
  if (json) {
    try {
      defaults = { ...defaults, ...(JSON.parse(json) as IngestPodDefaults) };
    } catch (error) {
      throw new OptionsError(`--pod-defaults: not JSON: ${(error as Error).message}`);
    }
  }
  const requests = quantities('default-requests', values['default-requests']);
  const limits = quantities('default-limits', values['default-limits']);
  if (requests || limits) {
    defaults.resources = {
      ...(requests
        ? { requests }
        : defaults.resources?.requests && { requests: defaults.resources.requests }),
      ...(limits ? { limits } : defaults.resources?.limits && { limits: defaults.resources.limits }),
    };
  }
  return defaults;
}

function nfsServers(text: string | undefined): '*' | string[] {
  const servers = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return servers.includes('*') ? '*' : servers;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function secretLabel(text: string | undefined): SecretLabel | undefined {
  if (!text) return undefined;
  const at = text.indexOf('=');
  const key = at < 0 ? '' : text.slice(0, at).trim();
  const value = at < 0 ? '' : text.slice(at + 1).trim();
  if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value) || value.length > 63)
    throw new OptionsError(
      `--secret-label: "${text}" is not a label key=value, e.g. tributary.io/ingest=allowed`,
    );
  return { key, value };
}

function pushListenerKey(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readSealingPublicKey(file);
  } catch (error) {
    throw new OptionsError(`--push-key-file: ${(error as Error).message}`);
  }
}

function bufferCredential(
  secret: string | undefined,
  namespacesText: string | undefined,
): NatsAuthOptions['buffer'] {
  const namespaces = (namespacesText ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!secret) {
    if (namespaces.length > 0)
      throw new OptionsError(
        '--buffer-namespaces: only used with --buffer-nats-secret (the credential they shape)',
      );
    return undefined;
  }
  const bad = namespaces.find((n) => !isNamespaceName(n));
  if (bad !== undefined)
    throw new OptionsError(`--buffer-namespaces: "${bad}" is not a namespace name; list them as news,sports`);
  return { secret, namespaces };
}

/** Options from flags, falling back to the environment (as the Helm chart sets it). */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): OperatorOptions {
  const { values: flags } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }])),
    strict: true,
  });
  const values: Record<string, string | undefined> = {};
  for (const [flag, variable] of Object.entries(FLAGS)) {
    const value = (flags as Record<string, string | undefined>)[flag] ?? env[variable];
    values[flag] = value === '' ? undefined : value;
  }
  const list = (values.namespaces ?? 'all')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const subjectPrefix = values['subject-prefix'] ?? DEFAULT_SUBJECT_PREFIX;
  const prefixProblem = subjectPrefixProblem(subjectPrefix);
  if (prefixProblem) throw new OptionsError(`--subject-prefix: ${prefixProblem}`);
  const creds = values['ingest-nats-creds-secret'];
  const [secret, key = 'nats.creds'] = creds?.split('/') ?? [];
  const [host = '0.0.0.0', port = '8080'] = (values['metrics-listen'] ?? '0.0.0.0:8080').split(/:(?=[^:]*$)/);
  const workers = Number(values.workers ?? 8);
  if (!Number.isInteger(workers) || workers < 1) throw new OptionsError('--workers: a positive integer');
  const leaseDurationMs = durationMs('lease-duration', values['lease-duration'], 15_000);
  const leaseNamespace = values['lease-namespace'] ?? 'default';
  const authSecret = values['nats-auth-secret'];
  if (values['nats-ca-file'] && !authSecret)
    throw new OptionsError(
      '--nats-ca-file: only used with --nats-auth-secret (the CA travels with each credential)',
    );
  if (authSecret && (secret || values['nats-creds']))
    throw new OptionsError(
      '--nats-auth-secret: the operator mints every NATS credential itself; drop --nats-creds and --ingest-nats-creds-secret',
    );
  return {
    kubeconfig: values.kubeconfig,
    namespaces: list.length === 0 || list.includes('all') ? 'all' : list,
    natsUrl: values['nats-url'],
    natsCredsFile: values['nats-creds'],
    ingestNatsUrl: values['ingest-nats-url'],
    ingestNatsCredentials: secret ? { secret, key } : undefined,
    natsAuth: authSecret
      ? {
          secret: authSecret,
          namespace: leaseNamespace,
          pushListenerSecret: values['push-listener-nats-secret'],
          buffer: bufferCredential(values['buffer-nats-secret'], values['buffer-namespaces']),
          readerSecret: values['reader-nats-secret'] ?? 'tributary-nats-reader',
          caFile: values['nats-ca-file'],
        }
      : undefined,
    subjectPrefix,
    ingestImage: values['ingest-image'] ?? 'ghcr.io/tributary/ingest-pod:latest',
    podDefaults: podDefaults(values),
    allowHostPath: bool(values['allow-host-path'], false),
    allowHostNetwork: bool(values['allow-host-network'], false),
    allowedNfsServers: nfsServers(values['allowed-nfs-servers']),
    requireMemoryLimit: bool(values['require-memory-limit'], true),
    secretLabel: secretLabel(values['secret-label']),
    metrics: { host: host.replace(/^\[|\]$/g, ''), port: Number(port) },
    leaderElection: {
      enabled: bool(values['leader-elect'], true),
      name: values['lease-name'] ?? 'tributary-operator',
      namespace: leaseNamespace,
      identity: values.identity ?? `${hostname()}-${Math.random().toString(36).slice(2, 8)}`,
      leaseDurationSeconds: Math.max(1, Math.round(leaseDurationMs / 1000)),
      renewDeadlineMs: durationMs('renew-deadline', values['renew-deadline'], (leaseDurationMs * 2) / 3),
      retryPeriodMs: durationMs('retry-period', values['retry-period'], leaseDurationMs / 7.5),
    },
    resyncMs: durationMs('resync-period', values['resync-period'], 5 * 60_000),
    workers,
    statusMinIntervalMs: durationMs('status-interval', values['status-interval'], 15_000),
    snapshotStaleMs: 16_000,
    recreateBackoff: { baseMs: 1_000, maxMs: 60_000, resetAfterMs: 60_000 },
    push: {
      rtmp: values['push-rtmp-url'],
      srt: values['push-srt-url'],
      listenerKey: pushListenerKey(values['push-key-file']),
    },
    logLevel: values['log-level'] ?? 'info',
  };
}
