/** One media segment of a media playlist. */
export interface MediaSegment {
  uri: string;
  /** Seconds, from EXTINF. */
  duration: number;
  /** EXT-X-MEDIA-SEQUENCE + index. */
  sequence: number;
  /** An EXT-X-DISCONTINUITY precedes it. */
  discontinuity: boolean;
}

export interface MediaPlaylist {
  kind: 'media';
  /** Seconds; 0 when the tag is missing. */
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  segments: MediaSegment[];
  /** EXT-X-ENDLIST: no segment will be added. */
  ended: boolean;
  /** A feature this reader cannot play (encryption, fMP4, byte ranges), named for the error. */
  unsupported?: string;
}

export interface Variant {
  uri: string;
  bandwidth: number;
}

export interface MasterPlaylist {
  kind: 'master';
  variants: Variant[];
}

export type Playlist = MediaPlaylist | MasterPlaylist;

/** The text is not a playlist this parser accepts; the message says which line and why. */
export class PlaylistError extends Error {
  constructor(
    message: string,
    /** The body is not an HLS playlist at all (as opposed to one with a broken line). */
    readonly notAPlaylist = false,
  ) {
    super(message);
    this.name = 'PlaylistError';
  }
}

export const MAX_LINE_CHARS = 256 * 1024;

/** Parses an attribute list (`BANDWIDTH=1280000,CODECS="avc1.4d401f,mp4a.40.2"`); keys upper-cased. */
export function parseAttributes(list: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /\s*([A-Za-z0-9-]+)\s*=\s*("[^"]*"|[^,]*)\s*(?:,|$)/gy;
  for (let m = pattern.exec(list); m !== null && m[0] !== ''; m = pattern.exec(list)) {
    const value = m[2] ?? '';
    attributes.set(m[1]!.toUpperCase(), value.startsWith('"') ? value.slice(1, -1) : value.trim());
  }
  return attributes;
}

function integerTag(value: string, tag: string, lineNo: number): number {
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new PlaylistError(`line ${lineNo}: ${tag} needs a whole number, got '${value.slice(0, 40)}'`);
  return n;
}

function decimal(value: string): number {
  return /^\d{1,12}(\.\d{0,12})?$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * Pure: parses an HLS playlist (RFC 8216) into what the reader uses. A playlist is a media
 * playlist if it has any of TARGETDURATION, MEDIA-SEQUENCE, EXTINF or ENDLIST, else a master.
 * A URI becomes a segment only after a positive EXTINF, a variant only after STREAM-INF.
 */
export function parsePlaylist(text: string): Playlist {
  const lines = text.split(/\r?\n|\r/);
  const header = lines[0]?.replace(/^\uFEFF/, '').trim();
  if (header !== '#EXTM3U')
    throw new PlaylistError('not an HLS playlist: the first line is not #EXTM3U', true);
  let isMedia = false;
  let targetDuration = 0;
  let mediaSequence = 0;
  let discontinuitySequence = 0;
  let ended = false;
  let unsupported: string | undefined;
  let pendingDuration: number | undefined;
  let pendingDiscontinuity = false;
  let pendingBandwidth: number | undefined;
  const uris: { uri: string; duration: number; discontinuity: boolean }[] = [];
  const variants: Variant[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.length > MAX_LINE_CHARS) {
      throw new PlaylistError(`line ${i + 1} is longer than ${MAX_LINE_CHARS} characters`, true);
    }
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) {
      if (pendingBandwidth !== undefined) variants.push({ uri: line, bandwidth: pendingBandwidth });
      else if (pendingDuration !== undefined && pendingDuration > 0) {
        uris.push({ uri: line, duration: pendingDuration, discontinuity: pendingDiscontinuity });
        pendingDiscontinuity = false;
      }
      pendingBandwidth = undefined;
      pendingDuration = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    const tag = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    switch (tag) {
      case '#EXT-X-TARGETDURATION': {
        isMedia = true;
        const d = decimal(value);
        if (!Number.isFinite(d))
          throw new PlaylistError(`line ${i + 1}: ${tag} needs a number, got '${value.slice(0, 40)}'`);
        targetDuration = d;
        break;
      }
      case '#EXT-X-MEDIA-SEQUENCE':
        isMedia = true;
        mediaSequence = integerTag(value, tag, i + 1);
        break;
      case '#EXT-X-DISCONTINUITY-SEQUENCE':
        discontinuitySequence = integerTag(value, tag, i + 1);
        break;
      case '#EXT-X-ENDLIST':
        isMedia = true;
        ended = true;
        break;
      case '#EXT-X-DISCONTINUITY':
        pendingDiscontinuity = true;
        break;
      case '#EXTINF':
        isMedia = true;
        pendingDuration = decimal(value.split(',')[0]!.trim());
        break;
      case '#EXT-X-STREAM-INF': {
        const bandwidth = Number(parseAttributes(value).get('BANDWIDTH'));
        pendingBandwidth = Number.isFinite(bandwidth) && bandwidth >= 0 ? bandwidth : 0;
        break;
      }
      case '#EXT-X-KEY': {
        const method = parseAttributes(value).get('METHOD') ?? '';
        if (method.toUpperCase() !== 'NONE')
          unsupported ??= `encrypted segments (EXT-X-KEY METHOD=${method.slice(0, 20)})`;
        break;
      }
      case '#EXT-X-MAP':
        unsupported ??= 'fMP4 segments (EXT-X-MAP)';
        break;
      case '#EXT-X-BYTERANGE':
        unsupported ??= 'byte-range segments (EXT-X-BYTERANGE)';
        break;
    }
  }
  if (isMedia) {
    const segments = uris.map((s, index) => ({ ...s, sequence: mediaSequence + index }));
    const playlist: MediaPlaylist = {
      kind: 'media',
      targetDuration,
      mediaSequence,
      discontinuitySequence,
      segments,
      ended,
    };
    if (unsupported !== undefined) playlist.unsupported = unsupported;
    return playlist;
  }
  if (variants.length === 0)
    throw new PlaylistError('playlist has neither media segments nor variant streams');
  return { kind: 'master', variants };
}
