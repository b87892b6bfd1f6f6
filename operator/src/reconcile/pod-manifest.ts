import type {
  V1EnvVar,
  V1LocalObjectReference,
  V1Pod,
  V1ResourceRequirements,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import {
  API_VERSION,
  type CopySource,
  INGEST_CONFIG_ENV,
  INGEST_STANDBY_ENV,
  STREAM,
  type Stream,
  type VodMount,
} from '@tributary/crds';
import { CA_KEY, CREDS_KEY } from '../nats-auth/secret-keys.js';
import { ingestPodConfig } from './ingest-config.js';
import { type LiveConfig, liveConfigOf, podShapeOf } from './live-config.js';
import { referencesOf } from './references.js';
import { saltedDigest, specHash } from './spec-hash.js';

export const INGEST_APP = 'tributary-ingest';
export const LABEL_APP = 'app.kubernetes.io/name';
export const LABEL_STREAM = 'tributary.io/stream';
export const ANNOTATION_SPEC_HASH = 'tributary.io/spec-hash';
export const ANNOTATION_GENERATION = 'tributary.io/stream-generation';
/** On a pod started on standby (the operator's cache keeps annotations, not the pod's env). */
export const ANNOTATION_STANDBY = 'tributary.io/standby';
/** Salt of the Secret digests in the spec hash; kept for the pod's lifetime. */
export const ANNOTATION_SECRET_SALT = 'tributary.io/secret-salt';
export const INGEST_CONTAINER = 'ingest';
/** Port of the pod's /healthz, /readyz and /metrics. */
export const INGEST_HTTP_PORT = 8080;
const NATS_CREDS_DIR = '/etc/tributary/nats';

/** The ingest pod of a Stream is named after it; 52-character names leave room for the suffix. */
export function ingestPodName(stream: string): string {
  return `${stream}-ingest`;
}

/** The two names a Stream's pods take turns with: a replacement starts beside the pod it replaces. */
export function ingestPodNames(stream: string): [string, string] {
  return [ingestPodName(stream), `${ingestPodName(stream)}-b`];
}

/**
 * The desired pod as the successor of a running one: under its other name, started on standby
 * (it publishes once released). Same spec hash: the standby setting is not part of the shape.
 */
export function standbyPod(pod: V1Pod, name: string): V1Pod {
  const [container, ...rest] = pod.spec?.containers ?? [];
  if (!container) return pod;
  const env = [...(container.env ?? []), { name: INGEST_STANDBY_ENV, value: name }];
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      name,
      annotations: { ...pod.metadata?.annotations, [ANNOTATION_STANDBY]: 'true' },
    },
    spec: { ...pod.spec, containers: [{ ...container, env }, ...rest] },
  };
}

/** The Secret holding a Stream's own NATS credential (owned by the Stream). */
export function streamCredentialsSecret(stream: string): string {
  return `${ingestPodName(stream)}-nats`;
}

function natsCredentialsOf(
  settings: IngestPodSettings,
  stream: string,
): { secret: string; key: string } | undefined {
  const creds = settings.natsCredentials;
  return creds === 'per-stream' ? { secret: streamCredentialsSecret(stream), key: CREDS_KEY } : creds;
}

/** Pod settings that come from the operator's configuration rather than from the Stream. */
export interface IngestPodDefaults {
  resources?: V1ResourceRequirements;
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  priorityClassName?: string;
  imagePullPolicy?: string;
  imagePullSecrets?: V1LocalObjectReference[];
}

export interface IngestPodSettings {
  image: string;
  subjectPrefix: string;
  natsUrl: string;
  /**
   * A Secret in the Stream's namespace holding a NATS `.creds` file, shared by every pod; or
   * 'per-stream': the Secret the operator minted for this Stream alone (streamCredentialsSecret).
   */
  natsCredentials?: { secret: string; key: string } | 'per-stream' | undefined;
  /** The per-stream Secret also holds the NATS server's CA (TLS): the pod's Node trusts it. */
  natsCa?: boolean | undefined;
  defaults: IngestPodDefaults;
  /** The push-listener's public sealing key (SPKI DER, base64) for pods with a push input. */
  pushListenerKey?: string | undefined;
  /**
   * Inputs and failover settings are sent to the running pod (the operator has NATS), so they stay
   * out of the spec hash; otherwise a change of them replaces the pod.
   */
  liveEdits?: boolean | undefined;
}

export interface DesiredPod {
  pod: V1Pod;
  /** Covers what only a new pod can change; not the inputs and failover settings. */
  hash: string;
  /** What the running pod is told on its control subject instead. */
  live: LiveConfig;
}

/**
 * The ingest Pod for a (valid) Stream. `secretDigests` (one digest per referenced Secret key) enter
 * the spec hash salted with `secretSalt`, so a rotated secret value replaces the pod like any other
 * change of its shape. Inputs and failover settings do not enter it: they are changed live.
 */
export function buildIngestPod(
  stream: Stream,
  vodMounts: ReadonlyMap<string, VodMount>,
  secretDigests: readonly string[],
  settings: IngestPodSettings,
  secretSalt = '',
  copySources: readonly CopySource[] = [],
): DesiredPod {
  const name = stream.metadata.name;
  const namespace = stream.metadata.namespace ?? '';
  const { config, secretEnv } = ingestPodConfig(
    stream,
    settings.subjectPrefix,
    settings.pushListenerKey,
    copySources,
  );
  const configEnv = (generation: number): V1EnvVar => ({
    name: INGEST_CONFIG_ENV,
    value: JSON.stringify({ ...config, stream: { ...config.stream, generation } }),
  });
  const natsCredentials = natsCredentialsOf(settings, name);
  const env: V1EnvVar[] = [
    // While hashing: no generation (the ladder does not touch the pod), no live part if relayed.
    settings.liveEdits
      ? { name: INGEST_CONFIG_ENV, value: JSON.stringify(podShapeOf(config)) }
      : configEnv(0),
    { name: 'NATS_URL', value: settings.natsUrl },
    ...(natsCredentials ? [{ name: 'NATS_CREDS', value: `${NATS_CREDS_DIR}/${natsCredentials.key}` }] : []),
    ...(natsCredentials && settings.natsCa
      ? [{ name: 'NODE_EXTRA_CA_CERTS', value: `${NATS_CREDS_DIR}/${CA_KEY}` }]
      : []),
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    // Bind the pod's own address: pods sharing a host network (or a test node) must not collide.
    { name: 'TRIBUTARY_LISTEN', value: `$(POD_IP):${INGEST_HTTP_PORT}` },
    ...secretEnv,
  ];
  const { volumes, mounts } = podVolumes(stream, vodMounts, settings);
  const podSettings = stream.spec.pod ?? {};
  const defaults = settings.defaults;
  const nodeSelector = podSettings.nodeSelector ?? defaults.nodeSelector;
  const tolerations = podSettings.tolerations ?? defaults.tolerations;
  const priorityClassName = podSettings.priorityClassName || defaults.priorityClassName;
  const resources = podSettings.resources ? quantities(podSettings.resources) : defaults.resources;
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  });

  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: ingestPodName(name),
      namespace,
      labels: {
        [LABEL_APP]: INGEST_APP,
        'app.kubernetes.io/instance': name,
        'app.kubernetes.io/managed-by': 'tributary-operator',
        [LABEL_STREAM]: name,
      },
      annotations: {},
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: STREAM.kind,
          name,
          uid: stream.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      // The operator, not the kubelet, restarts a failed ingest: it sees every failure and backs off.
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 10,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: INGEST_CONTAINER,
          image: settings.image,
          ...(defaults.imagePullPolicy && { imagePullPolicy: defaults.imagePullPolicy }),
          args: ['ingest'],
          env,
          ports: [{ name: 'http', containerPort: INGEST_HTTP_PORT, protocol: 'TCP' }],
          readinessProbe: probe('/readyz', 5, 1),
          livenessProbe: probe('/healthz', 10, 3),
          ...(resources && { resources }),
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: mounts,
        },
      ],
      volumes,
      ...(nodeSelector && Object.keys(nodeSelector).length > 0 && { nodeSelector }),
      ...(tolerations && tolerations.length > 0 && { tolerations }),
      ...(priorityClassName && { priorityClassName }),
      ...(podSettings.hostNetwork && { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }),
      ...(defaults.imagePullSecrets?.length && { imagePullSecrets: defaults.imagePullSecrets }),
    },
  };
  const secrets = secretDigests.map((digest) => saltedDigest(secretSalt, digest)).sort();
  // What copy:// inputs read is granted by the pod's NATS credential, fixed when it connects.
  const copyFrom = copySources.length > 0 ? copySources : undefined;
  const hash = specHash({ labels: pod.metadata?.labels, spec: pod.spec, secrets, copyFrom });
  env[0] = configEnv(stream.metadata.generation ?? 0);
  pod.metadata!.annotations = {
    [ANNOTATION_SPEC_HASH]: hash,
    [ANNOTATION_GENERATION]: String(stream.metadata.generation ?? 0),
    ...(secretSalt && { [ANNOTATION_SECRET_SALT]: secretSalt }),
  };
  return { pod, hash, live: liveConfigOf(config) };
}

function podVolumes(
  stream: Stream,
  vodMounts: ReadonlyMap<string, VodMount>,
  settings: IngestPodSettings,
): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  // Node writes its compile cache and temp files here; the root filesystem is read-only.
  const volumes: V1Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }];
  const mounts: V1VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  const seen = new Set<string>();
  for (const { mount } of referencesOf(stream).vodMounts) {
    const spec = vodMounts.get(mount)?.spec;
    if (!spec || seen.has(mount)) continue;
    seen.add(mount);
    const volume: V1Volume = { name: `vod-${mount}` };
    if (spec.persistentVolumeClaim) {
      volume.persistentVolumeClaim = { claimName: spec.persistentVolumeClaim.claimName, readOnly: true };
    } else if (spec.nfs) {
      volume.nfs = { server: spec.nfs.server, path: spec.nfs.path, readOnly: true };
    } else if (spec.configMap) {
      volume.configMap = { name: spec.configMap.name };
    } else if (spec.hostPath) {
      volume.hostPath = { path: spec.hostPath.path, type: 'Directory' };
    } else continue;
    volumes.push(volume);
    mounts.push({ name: volume.name, mountPath: `/vod/${mount}`, readOnly: true });
  }
  const natsCredentials = natsCredentialsOf(settings, stream.metadata.name);
  if (natsCredentials) {
    const { secret, key } = natsCredentials;
    const items = [key, ...(settings.natsCa ? [CA_KEY] : [])].map((k) => ({ key: k, path: k }));
    volumes.push({ name: 'nats-credentials', secret: { secretName: secret, items } });
    mounts.push({ name: 'nats-credentials', mountPath: NATS_CREDS_DIR, readOnly: true });
  }
  return { volumes, mounts };
}

/** Quantities may be written as numbers in the Stream (`cpu: 1`); the pod spec wants strings. */
function quantities(resources: {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}): V1ResourceRequirements {
  const strings = (map: Record<string, string | number>) =>
    Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)]));
  return {
    ...(resources.requests && { requests: strings(resources.requests) }),
    ...(resources.limits && { limits: strings(resources.limits) }),
  };
}
