import { isResourceName } from '@tributary/crds';
import { ReaderError } from '../reader/packet-reader.js';

/** What a `file://<mount>/<relative/path>?loop=&pace=` URL asks for. */
export interface FileUrl {
  mount: string;
  /** Decoded path segments below the mount (`..` already applied), never empty. */
  segments: string[];
  /** Start again at the end (default); `loop=false|0|no|off` reads the file once. */
  loop: boolean;
  /** `realtime` releases packets when their DTS is due; `none` as fast as the consumer reads. */
  pace: 'realtime' | 'none';
}

function reject(raw: string, rule: string): ReaderError {
  return new ReaderError(`invalid file URL ${raw}: ${rule}`, false);
}

/**
 * Pure: parses and checks a file URL lexically, with the same rules as the API's classify():
 * `..` goes up inside the mount and may not leave it. Escapes through symlinks are caught on resolve.
 */
export function parseFileUrl(raw: string): FileUrl {
  if (raw.startsWith('/')) {
    throw reject(raw, 'bare paths are not read; write file://<mount>/<path> for a file of a VodMount');
  }
  const match = /^file:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/is.exec(raw);
  if (match === null) throw reject(raw, 'expected file://<mount>/<path>');
  const mount = match[1]!;
  if (mount === '') throw reject(raw, 'it has no mount name (file:///abs paths are not allowed)');
  if (!isResourceName(mount)) throw reject(raw, `'${mount}' is not a VodMount name`);
  const segments: string[] = [];
  for (const encoded of match[2]!.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      throw reject(raw, `bad percent-encoding in '${encoded}'`);
    }
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.pop() === undefined) throw reject(raw, "path escapes mount root ('..' above the mount)");
      continue;
    }
    if (segment.includes('/') || segment.includes('\\') || segment.includes('\0')) {
      throw reject(raw, `path segment '${encoded}' encodes a separator or NUL`);
    }
    segments.push(segment);
  }
  if (segments.length === 0) throw reject(raw, 'it has no file path after the mount name');
  const query = new URLSearchParams(match[3] ?? '');
  const loopValue = (query.get('loop') ?? '').trim().toLowerCase();
  const paceValue = (query.get('pace') ?? 'realtime').trim().toLowerCase();
  if (paceValue !== 'realtime' && paceValue !== 'none')
    throw reject(raw, `pace must be realtime or none, not '${paceValue}'`);
  return {
    mount,
    segments,
    loop: !['false', '0', 'no', 'off'].includes(loopValue),
    pace: paceValue,
  };
}
