/** One `m=` section of a DESCRIBE answer, as a session sets it up. */
export interface SdpTrack {
  /** `video`, `audio`, `application`, ... */
  media: string;
  payloadType: number;
  /** Upper case, from `a=rtpmap` or the static payload type table: `H264`, `MPEG4-GENERIC`, `MP2T`. */
  codec: string;
  clockRate: number;
  channels?: number;
  /** `a=fmtp` parameters with lower-case names (`sprop-parameter-sets`, `config`, `mode`, ...). */
  fmtp: Record<string, string>;
  /** Absolute URL for SETUP. */
  control: string;
}

export interface SessionDescription {
  /** Absolute URL for aggregate PLAY/TEARDOWN. */
  control: string;
  /** `a=range` as written (`npt=0-`, `npt=now-`), session level first. */
  range?: string;
  tracks: SdpTrack[];
}

/** RFC 3551 static payload types with their codec and clock rate. */
const STATIC_PAYLOADS: Record<number, { codec: string; clockRate: number; channels?: number }> = {
  0: { codec: 'PCMU', clockRate: 8000, channels: 1 },
  8: { codec: 'PCMA', clockRate: 8000, channels: 1 },
  14: { codec: 'MPA', clockRate: 90000 },
  26: { codec: 'JPEG', clockRate: 90000 },
  32: { codec: 'MPV', clockRate: 90000 },
  33: { codec: 'MP2T', clockRate: 90000 },
};

/**
 * RFC 2326 C.1.1: a control URL is absolute, `*` (the base itself), or relative to the base
 * (Content-Base, else Content-Location, else the DESCRIBE URL). Relative ones are appended
 * below the base even when it lacks a trailing slash: cameras send `Content-Base:
 * rtsp://cam/live` with `a=control:trackID=1` and expect `rtsp://cam/live/trackID=1`, which is
 * what ffmpeg and live555 do and RFC 3986 resolution would get wrong.
 */
export function resolveControl(control: string | undefined, base: string): string {
  if (control === undefined || control === '' || control === '*') return base;
  if (/^rtsps?:\/\//i.test(control)) return control;
  if (control.startsWith('/')) {
    const origin = /^rtsps?:\/\/[^/?#]*/i.exec(base)?.[0] ?? '';
    return `${origin}${control}`;
  }
  return base.endsWith('/') ? `${base}${control}` : `${base}/${control}`;
}

/** The base for relative control URLs of a DESCRIBE answer. */
export function describeBase(requestUrl: string, contentBase?: string, contentLocation?: string): string {
  return contentBase ?? contentLocation ?? requestUrl;
}

function parseFmtp(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name !== '') out[name] = eq < 0 ? '' : part.slice(eq + 1).trim();
  }
  return out;
}

interface MediaDraft {
  media: string;
  payloadType: number;
  rtpmap?: string;
  fmtp?: string;
  control?: string;
}

function toTrack(draft: MediaDraft, base: string): SdpTrack {
  const known = STATIC_PAYLOADS[draft.payloadType];
  let codec = known?.codec ?? '';
  let clockRate = known?.clockRate ?? 0;
  let channels = known?.channels;
  if (draft.rtpmap !== undefined) {
    const [name, rate, chans] = draft.rtpmap.split('/');
    codec = (name ?? '').trim().toUpperCase();
    clockRate = Number(rate) || 0;
    channels = chans !== undefined && Number(chans) > 0 ? Number(chans) : undefined;
  }
  return {
    media: draft.media,
    payloadType: draft.payloadType,
    codec,
    clockRate,
    ...(channels !== undefined && { channels }),
    fmtp: draft.fmtp !== undefined ? parseFmtp(draft.fmtp) : {},
    control: resolveControl(draft.control, base),
  };
}

/**
 * Parses an SDP (RFC 8866) for an RTSP session: session and media level `a=control`, and per
 * media the first payload type's `a=rtpmap` and `a=fmtp`. `base` is from describeBase().
 */
export function parseSdp(text: string, base: string): SessionDescription {
  let sessionControl: string | undefined;
  let sessionRange: string | undefined;
  let mediaRange: string | undefined;
  const drafts: MediaDraft[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length < 2 || line[1] !== '=') continue;
    const value = line.slice(2);
    const current = drafts[drafts.length - 1];
    if (line[0] === 'm') {
      const [media, , , format] = value.split(/\s+/);
      drafts.push({ media: media ?? '', payloadType: Number(format) });
      continue;
    }
    if (line[0] !== 'a') continue;
    const colon = value.indexOf(':');
    const name = (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
    const attr = colon < 0 ? '' : value.slice(colon + 1).trim();
    if (name === 'control') {
      if (current) current.control = attr;
      else sessionControl = attr;
    } else if (name === 'range') {
      if (current) mediaRange ??= attr;
      else sessionRange = attr;
    } else if (current && (name === 'rtpmap' || name === 'fmtp')) {
      const space = attr.search(/\s/);
      if (space < 0 || Number(attr.slice(0, space)) !== current.payloadType) continue;
      current[name] = attr.slice(space + 1).trim();
    }
  }
  const control = resolveControl(sessionControl, base);
  const range = sessionRange ?? mediaRange;
  return {
    control,
    ...(range !== undefined && { range }),
    tracks: drafts.filter((d) => Number.isInteger(d.payloadType)).map((d) => toTrack(d, control)),
  };
}
