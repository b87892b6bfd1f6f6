// What every part of the demuxer shares: options, counters, and the one place events are raised.
import type { DemuxEvent, DemuxStats } from './demuxer-api.js';
import { SlabAllocator } from './slab-allocator.js';

export const DEMUX_MAX_ACCESS_UNIT_BYTES = 16 * 1024 * 1024;

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
    budgetDrops: 0,
    parameterSetsRefused: 0,
    bufferedBytes: 0,
  };
}

/** Something that holds partial-PES memory the demuxer's budget covers (a PID's assembler). */
export interface PesHolder {
  readonly pid: number;
  /** Drops what it holds (the partial PES and its scratch buffer); returns the bytes freed. */
  releaseForBudget(): number;
}

export class DemuxContext {
  stats: DemuxStats = emptyStats();
  readonly buffers = new SlabAllocator();
  /** Bytes held by each holder with any; their sum is `heldBytes`. */
  private readonly holders = new Map<PesHolder, number>();
  private heldBytes = 0;

  constructor(
    readonly maxAccessUnitBytes: number,
    private readonly onEvent: ((event: DemuxEvent) => void) | undefined,
    readonly pesBudgetBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Partial-PES bytes held across all PIDs (never above the budget after `hold` returns). */
  get pesHeldBytes(): number {
    return this.heldBytes;
  }

  /**
   * `holder` now holds `bytes`. Over the budget, the largest holders are released (and reported)
   * until it fits again; the caller checks whether it was one of them.
   */
  hold(holder: PesHolder, bytes: number): void {
    this.heldBytes += bytes - (this.holders.get(holder) ?? 0);
    if (bytes > 0) this.holders.set(holder, bytes);
    else this.holders.delete(holder);
    while (this.heldBytes > this.pesBudgetBytes) {
      let largest: PesHolder | undefined;
      let largestBytes = 0;
      for (const [h, n] of this.holders) {
        if (n > largestBytes) {
          largest = h;
          largestBytes = n;
        }
      }
      if (largest === undefined) break;
      this.holders.delete(largest);
      this.heldBytes -= largestBytes;
      largest.releaseForBudget();
      this.report({ type: 'pes-budget-exceeded', pid: largest.pid, bytes: largestBytes });
    }
  }

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
      case 'pes-budget-exceeded':
        s.budgetDrops++;
        break;
      case 'parameter-sets-refused':
        s.parameterSetsRefused += event.count;
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
