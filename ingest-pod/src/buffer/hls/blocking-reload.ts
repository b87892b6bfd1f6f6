/** Where the live edge is: the segment in progress and how many of its parts are complete. */
export interface LiveEdge {
  msn: number;
  parts: number;
}

/** A blocking playlist reload: `_HLS_msn`, and `_HLS_part` when given. */
export interface ReloadRequest {
  msn: number;
  part?: number;
}

export type ReloadDecision = 'ready' | 'wait' | 'bad-request';

/**
 * RFC 8216bis §6.2.5.2's Advance Part Limit: how many parts past the last one a client may ask
 * for before the request is refused (three part targets' worth, at least three parts).
 */
export function advancePartLimit(partTargetSeconds: number): number {
  return partTargetSeconds < 1 ? Math.floor(3 / partTargetSeconds) : 3;
}

/**
 * Whether a playlist holding `edge` answers `request` now, once more media arrived, or never:
 * a request for an MSN beyond the last complete segment's plus two, or for a part more than the
 * Advance Part Limit beyond the last part, is a bad request.
 */
export function reloadDecision(edge: LiveEdge, request: ReloadRequest, partLimit: number): ReloadDecision {
  if (request.msn < edge.msn) return 'ready';
  // The last complete segment is edge.msn - 1: "plus two" is edge.msn + 1.
  if (request.msn > edge.msn + 1) return 'bad-request';
  if (request.part === undefined) return 'wait';
  if (request.msn === edge.msn) {
    if (request.part < edge.parts) return 'ready';
    return request.part - (edge.parts - 1) > partLimit ? 'bad-request' : 'wait';
  }
  // The next segment's part P is at least P + 1 parts past the one in progress.
  return request.part + 1 > partLimit ? 'bad-request' : 'wait';
}

/** Parses `_HLS_msn` / `_HLS_part`; an error names the bad parameter. */
export function parseReloadRequest(query: URLSearchParams): ReloadRequest | { error: string } | undefined {
  const msnText = query.get('_HLS_msn');
  const partText = query.get('_HLS_part');
  if (msnText === null) {
    return partText === null ? undefined : { error: '_HLS_part needs _HLS_msn (RFC 8216bis §6.2.5.2)' };
  }
  const msn = Number(msnText);
  if (!/^\d+$/.test(msnText) || !Number.isSafeInteger(msn))
    return { error: `_HLS_msn must be a media sequence number (a whole number), got ${msnText}` };
  if (partText === null) return { msn };
  const part = Number(partText);
  if (!/^\d+$/.test(partText) || !Number.isSafeInteger(part))
    return { error: `_HLS_part must be a part index (a whole number), got ${partText}` };
  return { msn, part };
}
