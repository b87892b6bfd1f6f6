import path from 'node:path';
import type { ImageTable } from './agent/images.js';
import { REPO_ROOT } from './binaries.js';

/** The project's images as local commands run from this checkout (sources through tsx). */
export function tributaryImages(repoRoot = REPO_ROOT): ImageTable {
  const tributary = ['node', path.join(repoRoot, 'ingest-pod/bin/tributary.js')];
  return {
    'ghcr.io/tributary/ingest-pod': { entrypoint: tributary, commands: { tributary } },
    // The chart's operator, with the pod's ServiceAccount (see operator-entry.ts).
    'ghcr.io/tributary/operator': {
      entrypoint: [
        process.execPath,
        '--import',
        import.meta.resolve('tsx'),
        path.join(repoRoot, 'tools/cluster/operator-entry.ts'),
      ],
    },
  };
}

/** tributaryImages() plus whatever the JSON in TRIBUTARY_AGENT_IMAGES adds or overrides. */
export function imagesFromEnvironment(): ImageTable {
  const extra = process.env.TRIBUTARY_AGENT_IMAGES;
  if (!extra) return tributaryImages();
  try {
    return { ...tributaryImages(), ...(JSON.parse(extra) as ImageTable) };
  } catch (error) {
    throw new Error(`TRIBUTARY_AGENT_IMAGES is not valid JSON: ${(error as Error).message}`);
  }
}
