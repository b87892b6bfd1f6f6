// Joins fragments back into access units. Memory is bounded (caps on pending units and bytes,
// oldest partial evicted first, partials far behind their session's newest sequence given up),
// and a lost, late, duplicated or conflicting fragment costs at most its own access unit.
import { DEFAULT_MAX_ACCESS_UNIT_BYTES, type DecodedEnvelope, type WirePacket } from './format.js';

export interface ReassemblerOptions {
  /** Access units being reassembled at once; the oldest is given up to make room. Default 8. */
  maxPendingUnits?: number;
  /** Bytes held by partial access units at once. Default 64 MiB. */
  maxPendingBytes?: number;
  /** Larger access units are refused outright. Default 64 MiB (and never above maxPendingBytes). */
  maxAccessUnitBytes?: number;
  /** A partial this many sequence numbers behind the newest fragment of its session is given up. Default 32. */
  maxSeqLag?: number;
}

export interface ReassemblerStats {
  /** Access units returned by push(), whole or reassembled. */
  completed: number;
  /** Partial access units given up (evicted by a cap or by sequence lag): their fragments were lost. */
  incomplete: number;
  /** Envelopes ignored because their bytes were already received or their unit was already settled. */
  duplicates: number;
  /** Partial access units dropped because their fragments disagreed (header fields or overlapping ranges). */
  inconsistent: number;
  /** Access units refused for exceeding maxAccessUnitBytes. */
  oversized: number;
}

interface Partial {
  /** The packet being filled in; its header fields come from the first fragment seen. */
  packet: WirePacket;
  /** Received byte ranges, sorted by start, never overlapping. */
  starts: number[];
  ends: number[];
  received: number;
}

/** How many settled (completed or given-up) units are remembered so their stray fragments are ignored. */
const SETTLED_MEMORY = 256;

export class Reassembler {
  readonly stats: ReassemblerStats = {
    completed: 0,
    incomplete: 0,
    duplicates: 0,
    inconsistent: 0,
    oversized: 0,
  };
  private readonly partials = new Map<string, Partial>();
  private readonly settled = new Set<string>();
  private heldBytes = 0;
  private readonly maxPendingUnits: number;
  private readonly maxPendingBytes: number;
  private readonly maxAccessUnitBytes: number;
  private readonly maxSeqLag: number;

  constructor(opts: ReassemblerOptions = {}) {
    this.maxPendingUnits = Math.max(1, opts.maxPendingUnits ?? 8);
    this.maxPendingBytes = opts.maxPendingBytes ?? DEFAULT_MAX_ACCESS_UNIT_BYTES;
    this.maxAccessUnitBytes = Math.min(
      opts.maxAccessUnitBytes ?? DEFAULT_MAX_ACCESS_UNIT_BYTES,
      this.maxPendingBytes,
    );
    this.maxSeqLag = opts.maxSeqLag ?? 32;
  }

  get pendingUnits(): number {
    return this.partials.size;
  }

  get pendingBytes(): number {
    return this.heldBytes;
  }

  /**
   * Returns the access unit this envelope completes, if any. A unit comes out at most once: the
   * last SETTLED_MEMORY units completed or given up are remembered and their stray envelopes ignored.
   * An unfragmented unit's data is a view into the message it came in.
   */
  push(envelope: DecodedEnvelope): WirePacket | undefined {
    const key = `${envelope.sessionId}:${envelope.seq}`;
    if (this.settled.has(key)) {
      this.stats.duplicates++;
      return undefined;
    }
    this.giveUpLagging(envelope.sessionId, envelope.seq);
    let partial = this.partials.get(key);
    if (!envelope.fragment) {
      if (partial !== undefined) return this.dropInconsistent(key, partial);
      this.settle(key);
      this.stats.completed++;
      return toPacket(envelope, envelope.payload);
    }
    if (partial === undefined) {
      partial = this.start(key, envelope);
      if (partial === undefined) return undefined;
    } else if (!sameUnit(partial.packet, envelope)) {
      return this.dropInconsistent(key, partial);
    }

    const outcome = addRange(partial, envelope.fragmentOffset, envelope.payload.length);
    if (outcome === 'duplicate') {
      this.stats.duplicates++;
      return undefined;
    }
    if (outcome === 'overlap') return this.dropInconsistent(key, partial);
    partial.packet.data.set(envelope.payload, envelope.fragmentOffset);
    partial.received += envelope.payload.length;
    if (partial.received < partial.packet.data.length) return undefined;
    // Ranges never overlap, so receiving as many bytes as the unit holds means it is covered.
    this.drop(key, partial);
    this.stats.completed++;
    return partial.packet;
  }

  private start(key: string, envelope: DecodedEnvelope): Partial | undefined {
    const size = envelope.accessUnitLength;
    if (size > this.maxAccessUnitBytes) {
      this.settle(key);
      this.stats.oversized++;
      return undefined;
    }
    for (const [oldKey, old] of this.partials) {
      if (this.partials.size < this.maxPendingUnits && this.heldBytes + size <= this.maxPendingBytes) break;
      this.drop(oldKey, old);
      this.stats.incomplete++;
    }
    const partial: Partial = {
      packet: toPacket(envelope, new Uint8Array(size)),
      starts: [],
      ends: [],
      received: 0,
    };
    this.partials.set(key, partial);
    this.heldBytes += size;
    return partial;
  }

  private giveUpLagging(sessionId: number, seq: number): void {
    for (const [key, partial] of this.partials) {
      if (partial.packet.sessionId === sessionId && seq - partial.packet.seq > this.maxSeqLag) {
        this.drop(key, partial);
        this.stats.incomplete++;
      }
    }
  }

  private dropInconsistent(key: string, partial: Partial): undefined {
    this.drop(key, partial);
    this.stats.inconsistent++;
    return undefined;
  }

  /** Forgets a partial and remembers its key as settled. */
  private drop(key: string, partial: Partial): void {
    this.partials.delete(key);
    this.heldBytes -= partial.packet.data.length;
    this.settle(key);
  }

  private settle(key: string): void {
    this.settled.add(key);
    if (this.settled.size > SETTLED_MEMORY) {
      const oldest = this.settled.values().next().value;
      if (oldest !== undefined) this.settled.delete(oldest);
    }
  }
}

function addRange(partial: Partial, start: number, length: number): 'added' | 'duplicate' | 'overlap' {
  const { starts, ends } = partial;
  const end = start + length;
  // Index of the first range starting at or after `start`; in-order arrival makes it the end.
  let low = 0;
  let high = starts.length;
  if (high > 0 && starts[high - 1]! < start) low = high;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (starts[mid]! < start) low = mid + 1;
    else high = mid;
  }
  if (starts[low] === start && ends[low] === end) return 'duplicate';
  if (low > 0 && ends[low - 1]! > start) return 'overlap';
  if (low < starts.length && starts[low]! < end) return 'overlap';
  starts.splice(low, 0, start);
  ends.splice(low, 0, end);
  return 'added';
}

function sameUnit(a: WirePacket, b: DecodedEnvelope): boolean {
  return (
    a.data.length === b.accessUnitLength &&
    a.codec === b.codec &&
    a.trackId === b.trackId &&
    a.pts === b.pts &&
    a.dts === b.dts &&
    a.key === b.key &&
    a.sessionStart === b.sessionStart &&
    a.inputPriority === b.inputPriority &&
    a.wallTimeMs === b.wallTimeMs
  );
}

function toPacket(head: DecodedEnvelope, data: Uint8Array): WirePacket {
  return {
    codec: head.codec,
    trackId: head.trackId,
    pts: head.pts,
    dts: head.dts,
    key: head.key,
    data,
    inputPriority: head.inputPriority,
    sessionId: head.sessionId,
    sessionStart: head.sessionStart,
    seq: head.seq,
    wallTimeMs: head.wallTimeMs,
  };
}
