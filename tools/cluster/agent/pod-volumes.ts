import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  V1ConfigMap,
  V1Container,
  V1DownwardAPIVolumeFile,
  V1KeyToPath,
  V1Pod,
  V1Secret,
  V1Volume,
} from '@kubernetes/client-node';
import {
  fieldPathValue,
  type PodAddresses,
  PodConfigError,
  type PodObjects,
  resourceValue,
} from './pod-env.js';

export interface TokenRequest {
  namespace: string;
  serviceAccount: string;
  audience?: string;
  expirationSeconds?: number;
  pod: V1Pod;
}

export interface VolumeContext {
  objects: PodObjects;
  addresses: PodAddresses;
  nodeAllocatable: Record<string, string>;
  /** Mints a ServiceAccount token bound to the pod (projected serviceAccountToken sources). */
  mintToken(request: TokenRequest): Promise<string>;
  /** persistentVolumeClaim volumes map to `<claimsDir>/<namespace>/<claim>`, shared by the node's pods. */
  claimsDir: string;
  /** nfs volumes map to `<nfsDir>/<server>/<path>`. */
  nfsDir: string;
}

/** Where a container's mount paths live on the host. */
export interface ContainerFilesystem {
  /** A directory in which each mountPath exists as a symlink to its volume. */
  root: string;
  /** mountPath -> host directory (or file), longest paths first. */
  mounts: [string, string][];
}

type FileSet = Map<string, string | Buffer>;

function keyFiles(
  data: Record<string, string | Buffer>,
  items: V1KeyToPath[] | undefined,
  what: string,
  optional: boolean | undefined,
): FileSet {
  const files: FileSet = new Map();
  if (!items) {
    for (const [key, value] of Object.entries(data)) files.set(key, value);
    return files;
  }
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) continue;
      throw new PodConfigError(`${what} has no key "${item.key}"`);
    }
    files.set(item.path, value);
  }
  return files;
}

function secretData(secret: V1Secret): Record<string, Buffer> {
  const data: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = Buffer.from(value, 'base64');
  for (const [key, value] of Object.entries(secret.stringData ?? {})) data[key] = Buffer.from(value);
  return data;
}

function configMapData(configMap: V1ConfigMap): Record<string, string | Buffer> {
  const data: Record<string, string | Buffer> = { ...configMap.data };
  for (const [key, value] of Object.entries(configMap.binaryData ?? {}))
    data[key] = Buffer.from(value, 'base64');
  return data;
}

async function secretFiles(
  ctx: VolumeContext,
  pod: V1Pod,
  name: string,
  items?: V1KeyToPath[],
  optional?: boolean,
) {
  const secret = await ctx.objects.secret(pod.metadata?.namespace ?? 'default', name);
  if (!secret) {
    if (optional) return new Map() as FileSet;
    throw new PodConfigError(`secret "${name}" not found`);
  }
  return keyFiles(secretData(secret), items, `secret "${name}"`, optional);
}

async function configMapFiles(
  ctx: VolumeContext,
  pod: V1Pod,
  name: string,
  items?: V1KeyToPath[],
  optional?: boolean,
) {
  const configMap = await ctx.objects.configMap(pod.metadata?.namespace ?? 'default', name);
  if (!configMap) {
    if (optional) return new Map() as FileSet;
    throw new PodConfigError(`configmap "${name}" not found`);
  }
  return keyFiles(configMapData(configMap), items, `configmap "${name}"`, optional);
}

function downwardFiles(
  ctx: VolumeContext,
  pod: V1Pod,
  items: V1DownwardAPIVolumeFile[] | undefined,
): FileSet {
  const files: FileSet = new Map();
  for (const item of items ?? []) {
    if (item.fieldRef) files.set(item.path, fieldPathValue(pod, item.fieldRef.fieldPath, ctx.addresses));
    else if (item.resourceFieldRef) {
      const container = pod.spec?.containers.find((c) => c.name === item.resourceFieldRef?.containerName);
      if (!container) throw new PodConfigError(`downwardAPI ${item.path}: unknown container`);
      const { resource, divisor } = item.resourceFieldRef;
      files.set(item.path, resourceValue(container, resource, divisor, ctx.nodeAllocatable));
    }
  }
  return files;
}

async function projectedFiles(ctx: VolumeContext, pod: V1Pod, volume: V1Volume): Promise<FileSet> {
  const files: FileSet = new Map();
  for (const source of volume.projected?.sources ?? []) {
    let part: FileSet = new Map();
    if (source.secret) {
      const { name, items, optional } = source.secret;
      part = await secretFiles(ctx, pod, name ?? '', items, optional);
    } else if (source.configMap) {
      const { name, items, optional } = source.configMap;
      part = await configMapFiles(ctx, pod, name ?? '', items, optional);
    } else if (source.downwardAPI) {
      part = downwardFiles(ctx, pod, source.downwardAPI.items);
    } else if (source.serviceAccountToken) {
      const { audience, expirationSeconds, path: tokenPath } = source.serviceAccountToken;
      const token = await ctx.mintToken({
        namespace: pod.metadata?.namespace ?? 'default',
        serviceAccount: pod.spec?.serviceAccountName ?? 'default',
        ...(audience ? { audience } : {}),
        ...(expirationSeconds ? { expirationSeconds } : {}),
        pod,
      });
      part.set(tokenPath, token);
    } else {
      throw new PodConfigError(`volume "${volume.name}": unsupported projected source`);
    }
    for (const [file, value] of part) files.set(file, value);
  }
  return files;
}

async function writeFiles(dir: string, files: FileSet, mode: number | undefined): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [relative, content] of files) {
    const target = path.resolve(dir, relative);
    if (!target.startsWith(`${dir}${path.sep}`))
      throw new PodConfigError(`file path "${relative}" leaves its volume`);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content, { mode: mode ?? 0o644 });
  }
}

/** Materialises one volume on the host and returns its directory (or file, for hostPath files). */
async function prepareVolume(ctx: VolumeContext, pod: V1Pod, volume: V1Volume, volumesDir: string) {
  const dir = path.join(volumesDir, volume.name);
  if (volume.emptyDir) {
    await fs.mkdir(dir, { recursive: true });
  } else if (volume.hostPath) {
    const { path: hostPath, type } = volume.hostPath;
    if (type === 'FileOrCreate') await (await fs.open(hostPath, 'a')).close();
    else if (!type || type === 'DirectoryOrCreate') await fs.mkdir(hostPath, { recursive: true });
    else
      await fs
        .stat(hostPath)
        .catch(() => Promise.reject(new PodConfigError(`hostPath ${hostPath} not found`)));
    return hostPath;
  } else if (volume.secret) {
    const { secretName, items, optional, defaultMode } = volume.secret;
    await writeFiles(dir, await secretFiles(ctx, pod, secretName ?? '', items, optional), defaultMode);
  } else if (volume.configMap) {
    const { name, items, optional, defaultMode } = volume.configMap;
    await writeFiles(dir, await configMapFiles(ctx, pod, name ?? '', items, optional), defaultMode);
  } else if (volume.downwardAPI) {
    await writeFiles(dir, downwardFiles(ctx, pod, volume.downwardAPI.items), volume.downwardAPI.defaultMode);
  } else if (volume.projected) {
    await writeFiles(dir, await projectedFiles(ctx, pod, volume), volume.projected.defaultMode);
  } else if (volume.persistentVolumeClaim) {
    const claimDir = path.join(
      ctx.claimsDir,
      pod.metadata?.namespace ?? 'default',
      volume.persistentVolumeClaim.claimName,
    );
    await fs.mkdir(claimDir, { recursive: true });
    return claimDir;
  } else if (volume.nfs) {
    const nfsDir = path.join(ctx.nfsDir, volume.nfs.server, path.resolve('/', volume.nfs.path));
    await fs.mkdir(nfsDir, { recursive: true });
    return nfsDir;
  } else {
    const kind = Object.keys(volume).find((k) => k !== 'name') ?? 'unknown';
    throw new PodConfigError(`volume "${volume.name}": type ${kind} is not supported by the node agent`);
  }
  return dir;
}

/** Prepares every volume of the pod; returns volume name -> host path. */
export async function preparePodVolumes(
  ctx: VolumeContext,
  pod: V1Pod,
  podDir: string,
): Promise<Map<string, string>> {
  const volumes = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? []) {
    volumes.set(volume.name, await prepareVolume(ctx, pod, volume, path.join(podDir, 'volumes')));
  }
  return volumes;
}

/** Links each of the container's mountPaths under its root and lists where they point. */
export async function containerFilesystem(
  container: V1Container,
  volumes: Map<string, string>,
  podDir: string,
): Promise<ContainerFilesystem> {
  const root = path.join(podDir, 'containers', container.name, 'root');
  await fs.mkdir(root, { recursive: true });
  const mounts: [string, string][] = [];
  for (const mount of container.volumeMounts ?? []) {
    const source = volumes.get(mount.name);
    if (!source)
      throw new PodConfigError(`container ${container.name}: volumeMount "${mount.name}" has no volume`);
    const hostPath = mount.subPath ? path.join(source, mount.subPath) : source;
    if (mount.subPath) await fs.mkdir(hostPath, { recursive: true });
    const link = path.join(root, path.resolve('/', mount.mountPath));
    await fs.mkdir(path.dirname(link), { recursive: true });
    await fs.rm(link, { force: true, recursive: false }).catch(() => {});
    await fs.symlink(hostPath, link);
    mounts.push([path.resolve('/', mount.mountPath), hostPath]);
  }
  mounts.sort((a, b) => b[0].length - a[0].length);
  return { root, mounts };
}

/**
 * Rewrites a path inside the container (`/vod/x/a.ts`, or `--flag=/vod/x/a.ts`) to its host path;
 * other strings are returned unchanged.
 */
export function toHostPath(fsView: ContainerFilesystem, value: string): string {
  const eq = value.indexOf('=');
  if (value.startsWith('-') && eq > 0)
    return value.slice(0, eq + 1) + toHostPath(fsView, value.slice(eq + 1));
  for (const [mountPath, hostPath] of fsView.mounts) {
    if (value === mountPath) return hostPath;
    if (value.startsWith(`${mountPath}/`)) return hostPath + value.slice(mountPath.length);
  }
  return value;
}
