/** What an SRT streamid says: the resource (route key) and the mode, whichever convention it uses. */
export interface SrtStreamId {
  resource: string;
  mode?: string;
}

/**
 * Reads the common streamid conventions: Haivision's `#!::r=<resource>,m=<mode>,...`,
 * `publish:<resource>[:user:pass]` (MediaMTX) and a plain `<resource>`.
 */
export function parseSrtStreamId(streamId: string): SrtStreamId {
  if (streamId.startsWith('#!::')) {
    const result: SrtStreamId = { resource: '' };
    for (const pair of streamId.slice(4).split(',')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const key = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (key === 'r') result.resource = value;
      else if (key === 'm') result.mode = value;
    }
    return result;
  }
  for (const mode of ['publish', 'read']) {
    if (streamId.startsWith(`${mode}:`)) {
      return { resource: streamId.slice(mode.length + 1).split(':')[0] ?? '', mode };
    }
  }
  return { resource: streamId };
}
