import type { V1ConfigMap, V1Container, V1EnvVar, V1Pod, V1Secret } from '@kubernetes/client-node';
import { parseQuantity } from './quantity.js';

/** Reads the objects a pod refers to; undefined when the object does not exist. */
export interface PodObjects {
  secret(namespace: string, name: string): Promise<V1Secret | undefined>;
  configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
}

/** The pod's configuration is wrong (a missing Secret, an unknown field path): the pod cannot start. */
export class PodConfigError extends Error {}

export interface PodAddresses {
  podIP: string;
  hostIP: string;
}

function decodeSecretValue(secret: V1Secret, key: string): string | undefined {
  const data = secret.data?.[key];
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

function configMapValue(configMap: V1ConfigMap, key: string): string | undefined {
  const text = configMap.data?.[key];
  if (text !== undefined) return text;
  const binary = configMap.binaryData?.[key];
  return binary === undefined ? undefined : Buffer.from(binary, 'base64').toString('utf8');
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** The value of a downward-API field path (`metadata.name`, `metadata.labels['x']`, `status.podIP`, …). */
export function fieldPathValue(pod: V1Pod, fieldPath: string, addresses: PodAddresses): string {
  const meta = pod.metadata ?? {};
  const subscript = SUBSCRIPT.exec(fieldPath);
  if (subscript) {
    const map = subscript[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[subscript[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return Object.entries(meta.labels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'metadata.annotations':
      return Object.entries(meta.annotations ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return addresses.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return addresses.hostIP;
    default:
      throw new PodConfigError(`unsupported fieldRef fieldPath "${fieldPath}"`);
  }
}

/** requests/limits of a container as the downward API reports them (limits default to the node's). */
export function resourceValue(
  container: V1Container,
  resource: string,
  divisor: string | undefined,
  nodeAllocatable: Record<string, string>,
): string {
  const [kind, name] = resource.split('.') as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !name) {
    throw new PodConfigError(`unsupported resourceFieldRef resource "${resource}"`);
  }
  const own = container.resources?.[kind]?.[name];
  const fallback = kind === 'limits' ? nodeAllocatable[name] : '0';
  const value = parseQuantity(own ?? fallback ?? '0');
  // The API defaults an omitted divisor to "0", which means 1.
  const unit = parseQuantity(divisor ?? '1') || 1;
  return String(Math.ceil(value / unit));
}

/** Expands `$(NAME)` from `vars`; `$$(NAME)` is a literal `$(NAME)`; unknown references stay as written. */
export function expandReferences(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && name in vars ? vars[name]! : whole;
  });
}

async function envVarValue(
  pod: V1Pod,
  container: V1Container,
  env: V1EnvVar,
  objects: PodObjects,
  addresses: PodAddresses,
  nodeAllocatable: Record<string, string>,
  vars: Record<string, string>,
): Promise<string | undefined> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const from = env.valueFrom;
  if (!from) return expandReferences(env.value ?? '', vars);
  if (from.secretKeyRef) {
    const { name, key, optional } = from.secretKeyRef;
    const secret = await objects.secret(namespace, name ?? '');
    const value = secret && decodeSecretValue(secret, key);
    if (value === undefined && !optional) {
      throw new PodConfigError(
        `env ${env.name}: secret "${name}" ${secret ? `has no key "${key}"` : 'not found'}`,
      );
    }
    return value;
  }
  if (from.configMapKeyRef) {
    const { name, key, optional } = from.configMapKeyRef;
    const configMap = await objects.configMap(namespace, name ?? '');
    const value = configMap && configMapValue(configMap, key);
    if (value === undefined && !optional) {
      throw new PodConfigError(
        `env ${env.name}: configmap "${name}" ${configMap ? `has no key "${key}"` : 'not found'}`,
      );
    }
    return value;
  }
  if (from.fieldRef) return fieldPathValue(pod, from.fieldRef.fieldPath, addresses);
  if (from.resourceFieldRef) {
    const divisor = from.resourceFieldRef.divisor;
    return resourceValue(container, from.resourceFieldRef.resource, divisor, nodeAllocatable);
  }
  throw new PodConfigError(`env ${env.name}: unsupported valueFrom`);
}

/** The container's environment from `envFrom` then `env`, in the order Kubernetes applies them. */
export async function containerEnv(
  pod: V1Pod,
  container: V1Container,
  objects: PodObjects,
  addresses: PodAddresses,
  nodeAllocatable: Record<string, string>,
  base: Record<string, string> = {},
): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const vars: Record<string, string> = { ...base };
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.secretRef) {
      const secret = await objects.secret(namespace, source.secretRef.name ?? '');
      if (!secret && !source.secretRef.optional) {
        throw new PodConfigError(`envFrom: secret "${source.secretRef.name}" not found`);
      }
      for (const key of Object.keys(secret?.data ?? {}))
        vars[prefix + key] = decodeSecretValue(secret!, key)!;
    } else if (source.configMapRef) {
      const configMap = await objects.configMap(namespace, source.configMapRef.name ?? '');
      if (!configMap && !source.configMapRef.optional) {
        throw new PodConfigError(`envFrom: configmap "${source.configMapRef.name}" not found`);
      }
      for (const [key, value] of Object.entries(configMap?.data ?? {})) vars[prefix + key] = value;
    }
  }
  for (const env of container.env ?? []) {
    const value = await envVarValue(pod, container, env, objects, addresses, nodeAllocatable, vars);
    if (value !== undefined) vars[env.name] = value;
  }
  return vars;
}
