import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  type ApiConstructor,
  type ApiType,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  type V1Pod,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { isConflict, isNotFound } from './agent/api.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { type WaitOptions, waitFor } from './wait.js';

/** A random suffix for names that must not collide between tests or harnesses. */
export function randomSuffix(): string {
  return crypto.randomBytes(4).toString('hex');
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

type WithConditions = KubernetesObject & { status?: { conditions?: Condition[] } };

export const FIELD_MANAGER = 'tributary-test';

/** Parses a (multi-document) YAML manifest into objects, skipping empty documents. */
export function parseManifest(manifest: string): KubernetesObject[] {
  return parseAllDocuments(manifest)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubernetesObject | null;
    })
    .filter((obj): obj is KubernetesObject => obj !== null && typeof obj === 'object');
}

/**
 * client-node serialises known kinds through its models, which read camelCase attribute names and
 * silently drop JSON names such as `x-kubernetes-validations`; going through its YAML loader first
 * turns plain JSON into those models.
 */
function toClientModel(object: KubernetesObject): KubernetesObject {
  return loadYaml<KubernetesObject>(JSON.stringify(object));
}

/** The admin client of a cluster, with the helpers tests need. */
export class ClusterClient {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly objects: KubernetesObjectApi;
  readonly #caCert: string;
  readonly #controllerManagerRuns: boolean;

  constructor(kubeConfig: KubeConfig, caCertFile: string, controllerManagerRuns: boolean) {
    this.kubeConfig = kubeConfig;
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.#caCert = caCertFile;
    this.#controllerManagerRuns = controllerManagerRuns;
  }

  makeApiClient<T extends ApiType>(api: ApiConstructor<T>): T {
    return this.kubeConfig.makeApiClient(api);
  }

  /** Creates a namespace (random name unless given) ready for pods. */
  async createNamespace(
    name = `test-${randomSuffix()}`,
    labels: Record<string, string> = {},
  ): Promise<string> {
    await this.core.createNamespace({ body: { metadata: { name, labels } } });
    await this.prepareNamespace(name);
    return name;
  }

  /**
   * Pods need the namespace's `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap, which
   * kube-controller-manager creates; without it the harness creates them itself.
   */
  async prepareNamespace(namespace: string): Promise<void> {
    if (this.#controllerManagerRuns) return;
    const ignoreExisting = (error: unknown) => {
      if (!isConflict(error)) throw error;
    };
    await this.core
      .createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } })
      .catch(ignoreExisting);
    await this.core
      .createNamespacedConfigMap({
        namespace,
        body: {
          metadata: { name: 'kube-root-ca.crt' },
          data: { 'ca.crt': fs.readFileSync(this.#caCert, 'utf8') },
        },
      })
      .catch(ignoreExisting);
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.core.deleteNamespace({ name }).catch((error) => {
      if (!isNotFound(error)) throw error;
    });
  }

  /**
   * Server-side applies YAML text or plain JSON-shaped objects (force, one field manager), in order.
   * A CRD is waited on until Established, so custom resources later in the same manifest apply.
   */
  async apply(
    manifest: string | KubernetesObject | KubernetesObject[],
    options: { namespace?: string; fieldManager?: string } = {},
  ): Promise<KubernetesObject[]> {
    const items = typeof manifest === 'string' ? parseManifest(manifest) : [manifest].flat();
    const api = options.namespace ? this.#objectsIn(options.namespace) : this.objects;
    const applied: KubernetesObject[] = [];
    for (const item of items) {
      const result = await api.patch(
        toClientModel(item),
        undefined,
        undefined,
        options.fieldManager ?? FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      );
      if (item.kind === 'CustomResourceDefinition') {
        await this.waitForCondition(
          {
            apiVersion: 'apiextensions.k8s.io/v1',
            kind: 'CustomResourceDefinition',
            name: result.metadata?.name ?? '',
          },
          'Established',
        );
      }
      applied.push(result);
    }
    return applied;
  }

  /** A KubernetesObjectApi whose default namespace (for objects without one) is `namespace`. */
  #objectsIn(namespace: string): KubernetesObjectApi {
    const kc = new KubeConfig();
    kc.loadFromString(this.kubeConfig.exportConfig());
    const context = kc.getContextObject(kc.getCurrentContext());
    kc.contexts = kc.contexts.map((c) => (c.name === context?.name ? { ...c, namespace } : c));
    return KubernetesObjectApi.makeApiClient(kc);
  }

  /** The object, or undefined when it does not exist. */
  async read<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      const header = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      };
      return (await this.objects.read(header as never)) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Waits until `status.conditions` has `type` with `status` (default "True"); returns the object. */
  waitForCondition(
    ref: ObjectRef,
    type: string,
    status = 'True',
    options: WaitOptions = {},
  ): Promise<WithConditions> {
    return waitFor(
      async () => {
        const object = await this.read<WithConditions>(ref);
        const condition = object?.status?.conditions?.find((c) => c.type === type);
        return condition?.status === status ? object : undefined;
      },
      {
        what: `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} condition ${type}=${status}`,
        ...options,
      },
    );
  }

  /** Waits until the pod satisfies `predicate`; returns it. */
  waitForPod(namespace: string, name: string, predicate: (pod: V1Pod) => boolean, options: WaitOptions = {}) {
    return waitFor(
      async () => {
        const pod = await this.core.readNamespacedPod({ namespace, name }).catch((error) => {
          if (isNotFound(error)) return undefined;
          throw error;
        });
        return pod && predicate(pod) ? pod : undefined;
      },
      { what: `pod ${namespace}/${name}`, ...options },
    );
  }

  waitForPodPhase(namespace: string, name: string, phase: string, options: WaitOptions = {}) {
    return this.waitForPod(namespace, name, (pod) => pod.status?.phase === phase, {
      what: `pod ${namespace}/${name} phase ${phase}`,
      ...options,
    });
  }

  /** Waits until the pod is gone from the API. */
  waitForPodGone(namespace: string, name: string, options: WaitOptions = {}): Promise<true> {
    return waitFor(
      async () => {
        try {
          await this.core.readNamespacedPod({ namespace, name });
          return false;
        } catch (error) {
          if (isNotFound(error)) return true;
          throw error;
        }
      },
      { what: `pod ${namespace}/${name} to be deleted`, ...options },
    );
  }

  /** A token for a ServiceAccount (TokenRequest API), to act under that account's RBAC. */
  async mintToken(
    namespace: string,
    serviceAccount: string,
    options: { audiences?: string[]; expirationSeconds?: number } = {},
  ): Promise<string> {
    const response = await this.core.createNamespacedServiceAccountToken({
      namespace,
      name: serviceAccount,
      body: {
        spec: { audiences: options.audiences ?? [], expirationSeconds: options.expirationSeconds ?? 3600 },
      },
    });
    const token = response.status?.token;
    if (!token) throw new Error(`no token returned for ${namespace}/${serviceAccount}`);
    return token;
  }

  /** A kubeconfig (YAML and loaded) that authenticates as the ServiceAccount. */
  async serviceAccountKubeConfig(
    namespace: string,
    serviceAccount: string,
  ): Promise<{ yaml: string; kubeConfig: KubeConfig }> {
    const token = await this.mintToken(namespace, serviceAccount);
    const server = this.kubeConfig.getCurrentCluster()?.server ?? '';
    const yaml = kubeconfigYaml({
      server,
      caCert: this.#caCert,
      user: `system:serviceaccount:${namespace}:${serviceAccount}`,
      token,
      namespace,
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(yaml);
    return { yaml, kubeConfig };
  }
}
