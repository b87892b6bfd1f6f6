import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ReaderError } from '../reader/packet-reader.js';

/** The file containers a VodMount file may be in. */
export type ContainerKind = 'ts' | 'mp4' | 'flv';

export const SUPPORTED_CONTAINERS =
  'MPEG-TS (.ts, .m2ts, .mts), MP4/QuickTime (.mp4, .m4v, .mov) and FLV (.flv)';

const BY_EXTENSION: ReadonlyMap<string, ContainerKind> = new Map([
  ['.ts', 'ts'],
  ['.m2ts', 'ts'],
  ['.mts', 'ts'],
  ['.m2t', 'ts'],
  ['.tsv', 'ts'],
  ['.mp4', 'mp4'],
  ['.m4v', 'mp4'],
  ['.mov', 'mp4'],
  ['.flv', 'flv'],
]);

/** Containers people put in VOD folders that are known and not read: refused without sniffing. */
const REFUSED = new Set(['.mkv', '.webm', '.avi', '.mpg', '.mpeg', '.wmv', '.3gp', '.mxf', '.ogg']);

/** First box types of an ISO BMFF / QuickTime file. */
const MP4_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'wide']);
const SNIFF_BYTES = 205;

/** Pure: the container the first bytes of a file show, or undefined. */
export function sniffContainer(head: Uint8Array): ContainerKind | undefined {
  if (head.length >= 3 && head[0] === 0x46 && head[1] === 0x4c && head[2] === 0x56) return 'flv';
  if (head.length >= 8 && MP4_FIRST_BOXES.has(Buffer.from(head.subarray(4, 8)).toString('latin1')))
    return 'mp4';
  // Sync bytes one packet apart: 188 (plain), 204 (with RS parity), 192 (M2TS, 4-byte timestamp first).
  if (head[0] === 0x47 && (head[188] === 0x47 || head[204] === 0x47)) return 'ts';
  if (head[4] === 0x47 && head[196] === 0x47) return 'ts';
  return undefined;
}

/** The container of a file: by its extension, or by its first bytes when the extension says nothing. */
export async function chooseContainer(path: string): Promise<ContainerKind> {
  const ext = extname(path).toLowerCase();
  const known = BY_EXTENSION.get(ext);
  if (known !== undefined) return known;
  const name = basename(path);
  if (REFUSED.has(ext)) {
    throw new ReaderError(
      `unsupported container ${ext} (${name}): only ${SUPPORTED_CONTAINERS} are read`,
      false,
    );
  }
  const handle = await open(path, 'r');
  let head: Uint8Array;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const sniffed = sniffContainer(head);
  if (sniffed !== undefined) return sniffed;
  throw new ReaderError(
    `unsupported container: ${name} is none of ${SUPPORTED_CONTAINERS} (checked its first bytes); convert it or give it one of those extensions`,
    false,
  );
}
