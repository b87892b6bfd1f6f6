import type { FlvEvent } from '../flv/index.js';
import type { ReaderEvent } from '../reader/reader-api.js';

/** Converter notices of one kind are reported at most this often; the rest are counted into the next. */
const INTERVAL_MS = 1000;

function describe(event: FlvEvent): string {
  switch (event.type) {
    case 'unsupported':
      return `unsupported ${event.media} codec ${event.codec}: its tags are dropped`;
    case 'malformed':
      return `malformed ${event.media} tag: ${event.detail}`;
    case 'keyframe-without-parameter-sets':
      return `dropped a ${event.codec} keyframe: no parameter sets had arrived`;
    case 'parameter-sets-refused':
      return `ignored ${event.count} ${event.codec} parameter sets: too large or too many to cache`;
  }
}

/**
 * FLV converter events as reader 'demux' events, at most one per kind per second, so a broken
 * source shows up in events and status without one entry per frame.
 */
export function converterEventReporter(
  onEvent: ((event: ReaderEvent) => void) | undefined,
  now: () => number = Date.now,
): (event: FlvEvent) => void {
  const last = new Map<string, number>();
  const suppressed = new Map<string, number>();
  return (event) => {
    if (onEvent === undefined) return;
    const key = event.type === 'malformed' ? `malformed-${event.media}` : event.type;
    const at = now();
    if (at - (last.get(key) ?? Number.NEGATIVE_INFINITY) < INTERVAL_MS) {
      suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
      return;
    }
    last.set(key, at);
    const more = suppressed.get(key) ?? 0;
    suppressed.delete(key);
    onEvent({ type: 'demux', detail: describe(event) + (more > 0 ? ` (and ${more} more like it)` : '') });
  };
}
