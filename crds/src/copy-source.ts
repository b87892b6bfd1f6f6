// What a copy:// input reads: the upstream Stream's packets, or, when the upstream declares a
// ladder, its best rung (the best rendition a transcoder makes).

import { subjects } from './subjects.js';
import { classify } from './url/classify.js';

/** A rendition name (the CRD's pattern): one subject token. */
const RUNG_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The part of a ladder rung the choice looks at. */
export interface RungSize {
  name: string;
  width?: number | undefined;
  height?: number | undefined;
  bitrateKbps: number;
}

/** What a copy input subscribes to: an upstream Stream and, when it has a ladder, the rung. */
export interface CopySource {
  stream: string;
  rung?: string;
}

/** width × height × 1000 + kbps: resolution first, bitrate breaks ties; a rung without a size ranks by bitrate. */
function rungScore(rung: RungSize): number {
  return (rung.width ?? 0) * (rung.height ?? 0) * 1000 + rung.bitrateKbps;
}

/** The rung a copy reads: the highest score; among equal scores the first listed. Undefined for no ladder. */
export function bestRung<R extends RungSize>(ladder: readonly R[] | undefined): R | undefined {
  let best: R | undefined;
  for (const rung of ladder ?? []) {
    if (best === undefined || rungScore(rung) > rungScore(best)) best = rung;
  }
  return best;
}

/** The copy source for an upstream Stream with this ladder (possibly none). */
export function copySourceOf(stream: string, ladder: readonly RungSize[] | undefined): CopySource {
  const rung = bestRung(ladder);
  return rung === undefined ? { stream } : { stream, rung: rung.name };
}

/**
 * Subjects a copy input reads: the upstream's `.av` (a rung's packets on `.av.<rung>`) and its
 * `.events` (its `stream.stopped` ends the input at once). Throws a TypeError for names that would
 * not make valid subjects.
 */
export function copySubjects(
  prefix: string,
  namespace: string,
  source: CopySource,
): { av: string; events: string } {
  const own = subjects(prefix, namespace, source.stream);
  if (source.rung === undefined) return { av: own.av, events: own.events };
  if (!RUNG_NAME.test(source.rung))
    throw new TypeError(`not a rendition name: ${JSON.stringify(source.rung)}`);
  return { av: `${own.av}.${source.rung}`, events: own.events };
}

/** The upstream Stream names of a spec's copy:// inputs, in input order, each once. */
export function copyUpstreams(inputs: readonly { url: string }[]): string[] {
  const names: string[] = [];
  for (const input of inputs) {
    const kind = classify(input.url);
    if (kind.ok && kind.kind === 'copy' && !names.includes(kind.upstream)) names.push(kind.upstream);
  }
  return names;
}
