import { open, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { ReaderError } from '../reader/packet-reader.js';
import type { FileUrl } from './file-url.js';

export const TS_EXTENSIONS = new Set(['.ts', '.m2ts', '.mts', '.m2t', '.tsv']);
const OTHER_CONTAINERS = new Set([
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.webm',
  '.avi',
  '.flv',
  '.mpg',
  '.mpeg',
  '.wmv',
  '.3gp',
  '.mxf',
  '.ogg',
]);

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

/** True when the file starts with two TS sync bytes 188 bytes apart. */
async function looksLikeTs(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(189);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === 189 && head[0] === 0x47 && head[188] === 0x47;
  } finally {
    await handle.close();
  }
}

/** Rejects containers other than MPEG-TS with a message that names the container. */
export async function checkContainer(path: string): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (TS_EXTENSIONS.has(ext)) return;
  const only = 'only MPEG-TS files (.ts, .m2ts, .mts) are read in this version';
  if (OTHER_CONTAINERS.has(ext)) throw new ReaderError(`unsupported container ${ext}: ${only}`, false);
  if (!(await looksLikeTs(path))) {
    throw new ReaderError(`unsupported container: ${path.split(sep).pop()} is not MPEG-TS; ${only}`, false);
  }
}
