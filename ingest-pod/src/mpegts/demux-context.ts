// What every part of the demuxer shares: options, counters, and the one place events are raised.
import type { DemuxEvent, DemuxStats } from './demuxer-api.js';
import { SlabAllocator } from './slab-allocator.js';

export const DEFAULT_MAX_ACCESS_UNIT_BYTES = 16 * 1024 * 1024;

export function emptyStats(): DemuxStats {
  return {
    bytes: 0,
    tsPackets: 0,
    ccErrors: 0,
    discontinuities: 0,
    crcErrors: 0,
    resyncs: 0,
    unknownStreams: 0,
    accessUnits: 0,
    malformed: 0,
    oversized: 0,
    bufferedBytes: 0,
  };
}

export class DemuxContext {
  stats: DemuxStats = emptyStats();
  readonly buffers = new SlabAllocator();

  constructor(
    readonly maxAccessUnitBytes: number,
    private readonly onEvent: ((event: DemuxEvent) => void) | undefined,
  ) {}

  report(event: DemuxEvent): void {
    const s = this.stats;
    switch (event.type) {
      case 'cc-error':
        s.ccErrors++;
        break;
      case 'discontinuity':
        s.discontinuities++;
        break;
      case 'crc-error':
        s.crcErrors++;
        break;
      case 'unknown-stream':
        s.unknownStreams++;
        break;
      case 'resync':
        s.resyncs++;
        break;
      case 'oversized-pes':
        s.oversized++;
        break;
      case 'malformed':
        s.malformed++;
        break;
      case 'program-missing':
        break;
    }
    this.onEvent?.(event);
  }

  malformed(pid: number, detail: string): void {
    this.report({ type: 'malformed', pid, detail });
  }
}
