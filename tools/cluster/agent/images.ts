import type { V1Container } from '@kubernetes/client-node';

/**
 * How the node agent "runs" an image: there are no containers here, so each image name maps to
 * local commands.
 * - `entrypoint`: the argv that stands for the image's ENTRYPOINT; a container without `command`
 *   runs `[...entrypoint, ...args]`.
 * - `commands`: a container `command[0]` (as written in the pod spec, e.g. `tributary`) mapped to a
 *   local argv; the rest of `command` and then `args` follow it.
 * - `passThrough`: `command` and `args` run on the host unchanged (for test images like busybox).
 * A plain string array is shorthand for `{ entrypoint }`.
 */
export interface ImageCommand {
  entrypoint?: string[];
  commands?: Record<string, string[]>;
  passThrough?: boolean;
}

export type ImageTable = Record<string, string[] | ImageCommand>;

/** An image whose containers run their `command`/`args` directly on the host. */
export const HOST_IMAGE = 'tributary.local/host';

export const DEFAULT_IMAGES: ImageTable = { [HOST_IMAGE]: { passThrough: true } };

/** The image reference without digest or tag: `ghcr.io/x/y:1.2@sha256:…` -> `ghcr.io/x/y`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

export class ImageError extends Error {}

function lookup(table: ImageTable, image: string): ImageCommand | undefined {
  const entry = table[image] ?? table[imageRepository(image)];
  if (entry === undefined) return undefined;
  return Array.isArray(entry) ? { entrypoint: entry } : entry;
}

/**
 * The local argv for a container, or an ImageError that says why there is none. `program` comes
 * from the image table (host paths, used as they are); `args` come from the pod spec (container
 * paths, which the agent maps onto the pod's volumes).
 */
export interface LocalArgv {
  program: string[];
  args: string[];
}

export function resolveArgv(table: ImageTable, container: V1Container): LocalArgv {
  const image = container.image ?? '';
  const entry = lookup(table, image);
  if (!entry) {
    const known = Object.keys(table).join(', ') || 'none';
    throw new ImageError(`image "${image}" has no local command on this node (known images: ${known})`);
  }
  const command = container.command ?? [];
  const args = container.args ?? [];
  const first = command[0];
  if (first === undefined) {
    if (entry.entrypoint) return { program: entry.entrypoint, args };
    if (entry.passThrough && args.length > 0) return { program: [], args };
    throw new ImageError(`image "${image}" has no entrypoint; the container must set command`);
  }
  const mapped = entry.commands?.[first];
  if (mapped) return { program: mapped, args: [...command.slice(1), ...args] };
  if (entry.passThrough) return { program: [], args: [...command, ...args] };
  throw new ImageError(`image "${image}" does not map command "${first}" to a local command`);
}
