import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ReaderError } from '../reader/packet-reader.js';
import type { FileUrl } from './file-url.js';

function codeOf(err: unknown): string {
  return (err as { code?: string }).code ?? '';
}

/**
 * Resolves a parsed file URL to a real path under `<vodRoot>/<mount>`. Both sides are realpath'd,
 * so a symlink inside the mount that points outside it is rejected like `..` would be.
 */
export async function resolveVodFile(vodRoot: string | undefined, url: FileUrl): Promise<string> {
  const shown = `file://${url.mount}/${url.segments.join('/')}`;
  if (vodRoot === undefined) {
    throw new ReaderError(
      `${shown}: file:// inputs need a VOD root (/vod in the pod, --vod-root in the CLI)`,
      false,
    );
  }
  let mountDir: string;
  try {
    mountDir = await realpath(join(vodRoot, url.mount));
  } catch (err) {
    throw new ReaderError(`${shown}: VOD mount '${url.mount}' not found under ${vodRoot}`, false, {
      cause: err,
    });
  }
  let target: string;
  try {
    target = await realpath(join(mountDir, ...url.segments));
  } catch (err) {
    const missing = codeOf(err) === 'ENOENT';
    throw new ReaderError(`${shown}: ${missing ? 'no such file' : (err as Error).message}`, !missing, {
      cause: err,
    });
  }
  if (!target.startsWith(mountDir + sep)) {
    throw new ReaderError(`${shown}: path escapes mount root through a symlink`, false);
  }
  if ((await stat(target)).isDirectory())
    throw new ReaderError(`${shown}: is a directory, not a file`, false);
  return target;
}
