import { createHash } from 'node:crypto';
import type { KubernetesObject, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Stream, VodMount } from '@tributary/crds';
import type { KubeApi } from '../kube/api-client.js';
import { PODS, type ResourceType, SECRETS, STREAMS, VOD_MOUNTS } from '../kube/resources.js';
import { INGEST_APP, LABEL_APP } from '../reconcile/pod-manifest.js';
import { type InformerHealth, SupervisedInformer } from './supervised-informer.js';

export type WatchedKind = 'stream' | 'vodmount' | 'pod' | 'secret';
export type ChangeHandler = (
  kind: WatchedKind,
  object: KubernetesObject,
  verb: 'add' | 'update' | 'delete',
) => void;

/** Where the operator looks: every namespace, or a list of them. */
export type NamespaceScope = 'all' | readonly string[];

const KINDS: { kind: WatchedKind; type: ResourceType; labelSelector?: string }[] = [
  { kind: 'stream', type: STREAMS },
  { kind: 'vodmount', type: VOD_MOUNTS },
  { kind: 'pod', type: PODS, labelSelector: `${LABEL_APP}=${INGEST_APP}` },
  { kind: 'secret', type: SECRETS },
];

/**
 * Secrets are cached with each value replaced by a digest: enough to check that a key exists and
 * to notice a rotation, without keeping secret material in the operator's memory.
 */
function trimSecret(secret: V1Secret): void {
  const data = secret.data ?? {};
  for (const key of Object.keys(data))
    data[key] = createHash('sha256')
      .update(data[key] ?? '')
      .digest('hex')
      .slice(0, 16);
  delete (secret as { stringData?: unknown }).stringData;
}

/** Of a pod the operator reads its metadata, its node and its status; the spec is its own making. */
function trimPod(pod: V1Pod): void {
  if (pod.spec) pod.spec = { containers: [], ...(pod.spec.nodeName && { nodeName: pod.spec.nodeName }) };
}

/** Keeps what the operator reads; 1000 Streams with their pods then fit in a few MB. */
function trim(kind: WatchedKind, object: KubernetesObject): void {
  if (object.metadata) delete object.metadata.managedFields;
  delete object.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (kind === 'secret') trimSecret(object as V1Secret);
  if (kind === 'pod') trimPod(object as V1Pod);
}

/** The informers of every watched kind and namespace, and lookups into their caches. */
export class ObjectCache {
  readonly #informers = new Map<string, SupervisedInformer<KubernetesObject>>();
  readonly #scope: NamespaceScope;

  constructor(
    api: KubeApi,
    scope: NamespaceScope,
    onChange: ChangeHandler,
    onError?: (name: string, error: unknown, restartInMs: number) => void,
  ) {
    this.#scope = scope;
    const namespaces = scope === 'all' ? [undefined] : scope;
    for (const { kind, type, labelSelector } of KINDS) {
      for (const namespace of namespaces) {
        const name = `${type.plural}${namespace ? `@${namespace}` : ''}`;
        const informer = new SupervisedInformer<KubernetesObject>({
          name,
          api,
          type,
          namespace,
          labelSelector,
          prepare: (object) => trim(kind, object),
          onChange: (object, verb) => onChange(kind, object, verb),
          onError: (error, restartInMs) => onError?.(name, error, restartInMs),
        });
        this.#informers.set(`${kind}@${namespace ?? ''}`, informer);
      }
    }
  }

  /** Whether objects of `namespace` are watched. */
  watches(namespace: string): boolean {
    return this.#scope === 'all' || this.#scope.includes(namespace);
  }

  async start(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.stop()));
  }

  health(): InformerHealth[] {
    return [...this.#informers.values()].map((informer) => informer.health());
  }

  get synced(): boolean {
    return this.health().every((h) => h.synced);
  }

  #get<T>(kind: WatchedKind, namespace: string, name: string): T | undefined {
    const informer = this.#informers.get(`${kind}@${this.#scope === 'all' ? '' : namespace}`);
    return informer?.cache.get(name, namespace) as T | undefined;
  }

  #list<T>(kind: WatchedKind, namespace?: string): T[] {
    if (this.#scope === 'all' || namespace === undefined) {
      return [...this.#informers.entries()]
        .filter(([key]) => key.startsWith(`${kind}@`))
        .flatMap(([, informer]) => informer.cache.list(namespace) as T[]);
    }
    return (this.#informers.get(`${kind}@${namespace}`)?.cache.list(namespace) ?? []) as T[];
  }

  stream(namespace: string, name: string): Stream | undefined {
    return this.#get('stream', namespace, name);
  }

  streams(namespace?: string): Stream[] {
    return this.#list('stream', namespace);
  }

  vodMount(namespace: string, name: string): VodMount | undefined {
    return this.#get('vodmount', namespace, name);
  }

  pod(namespace: string, name: string): V1Pod | undefined {
    return this.#get('pod', namespace, name);
  }

  /** A cached Secret: its keys, each mapped to a digest of the value. */
  secret(namespace: string, name: string): V1Secret | undefined {
    return this.#get('secret', namespace, name);
  }
}
