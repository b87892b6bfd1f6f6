import type { KubernetesObject, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Stream, VodMount } from '@tributary/crds';
import { isNotFound, type KubeApi } from '../kube/api-client.js';
import { objectPath, PODS, type ResourceType, SECRETS, STREAMS, VOD_MOUNTS } from '../kube/resources.js';
import { secretValueDigest } from './secret-digest.js';
import { type InformerHealth, SupervisedInformer } from './supervised-informer.js';

export { secretValueDigest };

export type WatchedKind = 'stream' | 'vodmount' | 'pod' | 'secret';
export type ChangeHandler = (
  kind: WatchedKind,
  object: KubernetesObject,
  verb: 'add' | 'update' | 'delete',
) => void;

/** Where the operator looks: every namespace, or a list of them. */
export type NamespaceScope = 'all' | readonly string[];

export interface ObjectCacheOptions {
  /** Label selector of the pods to watch (the ingest pods); every pod when absent. */
  podSelector?: string | undefined;
  /** --secret-label as a selector: only Secrets carrying it are watched (and may be referenced). */
  secretSelector?: string | undefined;
}

interface Kind {
  kind: WatchedKind;
  type: ResourceType;
  labelSelector?: string | undefined;
  metadataOnly?: boolean;
}

/**
 * Secrets are watched by metadata only (names, labels, resourceVersion): the values of Secrets no
 * Stream references never reach the operator. Referenced ones are read one by one (loadSecrets).
 */
function kinds(options: ObjectCacheOptions): Kind[] {
  return [
    { kind: 'stream', type: STREAMS },
    { kind: 'vodmount', type: VOD_MOUNTS },
    { kind: 'pod', type: PODS, labelSelector: options.podSelector },
    {
      kind: 'secret',
      type: SECRETS,
      labelSelector: options.secretSelector,
      metadataOnly: true,
    },
  ];
}

/** A referenced Secret's keys, each mapped to a salted digest of its value, as of one resourceVersion. */
interface SecretValues {
  resourceVersion: string | undefined;
  data: Record<string, string>;
}

function digestValues(secret: V1Secret): SecretValues {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = secretValueDigest(value ?? '');
  return { resourceVersion: secret.metadata?.resourceVersion, data };
}

/** Of a pod the operator reads its metadata, its node and its status; the spec is its own making. */
function trimPod(pod: V1Pod): void {
  if (pod.spec) pod.spec = { containers: [], ...(pod.spec.nodeName && { nodeName: pod.spec.nodeName }) };
}

/** Keeps what the operator reads; 1000 Streams with their pods then fit in a few MB. */
function trim(kind: WatchedKind, object: KubernetesObject): void {
  if (object.metadata) delete object.metadata.managedFields;
  delete object.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (kind === 'pod') trimPod(object as V1Pod);
}

/** The informers of every watched kind and namespace, and lookups into their caches. */
export class ObjectCache {
  readonly #informers = new Map<string, SupervisedInformer<KubernetesObject>>();
  readonly #scope: NamespaceScope;
  readonly #api: KubeApi;
  /** Digests of the Secrets Streams reference, by `namespace/name`. */
  readonly #secretValues = new Map<string, SecretValues>();

  constructor(
    api: KubeApi,
    scope: NamespaceScope,
    onChange: ChangeHandler,
    onError?: (name: string, error: unknown, restartInMs: number) => void,
    options: ObjectCacheOptions = {},
  ) {
    this.#scope = scope;
    this.#api = api;
    const namespaces = scope === 'all' ? [undefined] : scope;
    for (const { kind, type, labelSelector, metadataOnly } of kinds(options)) {
      for (const namespace of namespaces) {
        const name = `${type.plural}${namespace ? `@${namespace}` : ''}`;
        const informer = new SupervisedInformer<KubernetesObject>({
          name,
          api,
          type,
          namespace,
          labelSelector,
          metadataOnly,
          prepare: (object) => trim(kind, object),
          onChange: (object, verb) => {
            if (kind === 'secret' && verb === 'delete')
              this.#secretValues.delete(`${object.metadata?.namespace}/${object.metadata?.name}`);
            onChange(kind, object, verb);
          },
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

  /**
   * A watched Secret: its metadata, and, once loadSecrets read it, its keys, each mapped to a
   * salted digest of the value (secretValueDigest).
   */
  secret(namespace: string, name: string): V1Secret | undefined {
    const meta = this.#get<V1Secret>('secret', namespace, name);
    if (!meta) return undefined;
    // A read may be a version ahead of the watch (or behind, until the next loadSecrets).
    const values = this.#secretValues.get(`${namespace}/${name}`);
    return { ...meta, ...(values && { data: values.data }) };
  }

  /**
   * Reads the named Secrets of `namespace` whose watched version was not read yet: only Secrets
   * that Streams reference are ever read, and each version once. A Secret not watched is skipped.
   */
  async loadSecrets(namespace: string, names: Iterable<string>): Promise<void> {
    for (const name of new Set(names)) {
      const key = `${namespace}/${name}`;
      const version = this.#get<V1Secret>('secret', namespace, name)?.metadata?.resourceVersion;
      if (version === undefined) {
        this.#secretValues.delete(key);
        continue;
      }
      if (this.#secretValues.get(key)?.resourceVersion === version) continue;
      try {
        const secret = await this.#api.get<V1Secret>(objectPath(SECRETS, namespace, name));
        this.#secretValues.set(key, digestValues(secret));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        this.#secretValues.delete(key); // deleted meanwhile: the watch says so next
      }
    }
  }
}
