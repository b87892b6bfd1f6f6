import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * The page's files: `ingest-pod/console/` in a checkout, `console/` next to the bundle in the
 * image. hls.js comes from its npm package, or from `console/vendor/` in the image.
 */
function consoleDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Source, the bundle's entry, and a lazily loaded chunk of the bundle (in chunks/).
  const candidates = [join(here, '../../../console'), join(here, 'console'), join(here, '../console')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined)
    throw new Error(`the console's files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

function hlsJsPath(dir: string): string {
  const vendored = join(dir, 'vendor/hls.min.js');
  if (existsSync(vendored)) return vendored;
  // Not an import of node:module: the bundle's banner already declares createRequire.
  return process
    .getBuiltinModule('node:module')
    .createRequire(import.meta.url)
    .resolve('hls.js/dist/hls.min.js');
}

/** URL path → file, read once: the page is small and served from memory. */
export function loadConsoleAssets(): Map<string, Asset> {
  const dir = consoleDir();
  const assets = new Map<string, Asset>();
  const add = (path: string, file: string) => {
    const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
    assets.set(path, { type, body: readFileSync(file) });
  };
  add('/', join(dir, 'index.html'));
  add('/console/console.js', join(dir, 'console.js'));
  add('/console/console.css', join(dir, 'console.css'));
  add('/console/hls.min.js', hlsJsPath(dir));
  return assets;
}
