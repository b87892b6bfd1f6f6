import { type HlsSegment, TICKS_PER_SECOND } from './media-segment.js';

/** Everything a media playlist says, as the segmenter has it now. */
export interface PlaylistView {
  segments: readonly HlsSegment[];
  mediaSequence: number;
  discontinuitySequence: number;
  /** Seconds; already at least every segment's rounded duration. */
  targetDuration: number;
  /** Seconds; already at least every part's duration. */
  partTarget: number;
  /** Parts are listed for segments from this MSN on (older ones only as whole segments). */
  partsFromMsn: number;
}

/**
 * Decimal EXTINF durations need version 3; the LL-HLS tags (RFC 8216bis) and
 * EXT-X-PROGRAM-DATE-TIME set no minimum version of their own.
 */
const VERSION = 3;

function seconds(ticks: number): string {
  return (ticks / TICKS_PER_SECOND).toFixed(3);
}

/** A part target rounded up to whole ms, so no part's printed duration exceeds it. */
export function partTargetSeconds(ticks: number): number {
  return Math.ceil(ticks / 90) / 1000;
}

/** Seconds as a decimal without trailing zeros (PART-TARGET, PART-HOLD-BACK). */
function decimal(value: number): string {
  return String(Number(value.toFixed(3)));
}

/** The media playlist (RFC 8216bis, low-latency): segments, recent parts, the next part's hint. */
export function renderPlaylist(view: PlaylistView): string {
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${VERSION}`,
    `#EXT-X-TARGETDURATION:${view.targetDuration}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${decimal(3 * view.partTarget)}`,
    `#EXT-X-PART-INF:PART-TARGET=${decimal(view.partTarget)}`,
    `#EXT-X-MEDIA-SEQUENCE:${view.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${view.discontinuitySequence}`,
  ];
  let hint: string | undefined;
  for (const segment of view.segments) {
    const parts = segment.msn >= view.partsFromMsn ? segment.parts.filter((p) => p.complete) : [];
    if (!segment.complete && parts.length === 0) {
      hint = `part-${segment.msn}.0.ts`;
      break;
    }
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTimeMs).toISOString()}`);
    for (const part of parts) {
      const independent = part.independent ? ',INDEPENDENT=YES' : '';
      lines.push(
        `#EXT-X-PART:DURATION=${seconds(part.durationTicks)},URI="part-${part.msn}.${part.index}.ts"${independent}`,
      );
    }
    if (segment.complete) lines.push(`#EXTINF:${seconds(segment.durationTicks)},`, `seg-${segment.msn}.ts`);
    else hint = `part-${segment.msn}.${parts.length}.ts`;
  }
  if (hint !== undefined) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${hint}"`);
  return `${lines.join('\n')}\n`;
}
