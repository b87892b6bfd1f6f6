// FLV files (Adobe FLV spec, Annex E): 'FLV', version, flags, header size, then
// PreviousTagSize (UI32) + tag header (type, UI24 size, UI24 timestamp + UI8 upper bits, UI24
// stream id) + body, over and over. Reads whole files or chunks of any size; pure and total.
import { FLV_TAG, type FlvTag } from './flv-tag.js';

export interface FlvFileHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
}

export interface FlvFileStats {
  tags: number;
  /** Tags of other types, and encrypted (filtered) ones: skipped. */
  skippedTags: number;
  /** PreviousTagSize fields that do not match the tag before them (counted only; many writers differ). */
  previousTagSizeMismatches: number;
}

const SIGNATURE = [0x46, 0x4c, 0x56]; // 'FLV'
const FILE_HEADER = 9;
const PREVIOUS_SIZE = 4;
const TAG_HEADER = 11;
const FILTER_BIT = 0x20;

type Phase = 'file-header' | 'skip-header' | 'tag-header' | 'body';

/**
 * Incremental reader. A tag's `data` may be a view into a chunk that was pushed, so chunks must
 * not be reused by the caller after push().
 */
export class FlvFileReader {
  header: FlvFileHeader | undefined;
  /** Set when the bytes are not an FLV file; everything after is ignored. */
  error: string | undefined;
  readonly stats: FlvFileStats = { tags: 0, skippedTags: 0, previousTagSizeMismatches: 0 };
  private phase: Phase = 'file-header';
  /** Bytes the current phase needs. */
  private need = FILE_HEADER;
  private partial: Uint8Array | null = null;
  private filled = 0;
  private lastTagSize = 0;
  private tagType = 0;
  private tagTime = 0;

  push(chunk: Uint8Array): FlvTag[] {
    const tags: FlvTag[] = [];
    let pos = 0;
    while (this.error === undefined && pos < chunk.length) {
      if (this.phase === 'skip-header') {
        // Header bytes beyond the nine we know: skipped without buffering, whatever their number.
        const take = Math.min(this.need, chunk.length - pos);
        pos += take;
        this.need -= take;
        if (this.need === 0) this.next('tag-header', 0);
        continue;
      }
      let piece: Uint8Array;
      if (this.partial === null && chunk.length - pos >= this.need) {
        piece = chunk.subarray(pos, pos + this.need); // whole in this chunk: no copy
        pos += this.need;
      } else {
        this.partial ??= new Uint8Array(this.need);
        const take = Math.min(this.need - this.filled, chunk.length - pos);
        this.partial.set(chunk.subarray(pos, pos + take), this.filled);
        this.filled += take;
        pos += take;
        if (this.filled < this.need) break;
        piece = this.partial;
        this.partial = null;
        this.filled = 0;
      }
      this.complete(piece, tags);
    }
    return tags;
  }

  /** Bytes held for an unfinished header or tag (at end of file: how much was cut off). */
  get pendingBytes(): number {
    return this.filled;
  }

  private complete(piece: Uint8Array, tags: FlvTag[]): void {
    switch (this.phase) {
      case 'file-header': {
        if (SIGNATURE.some((b, i) => piece[i] !== b)) {
          this.error = 'not an FLV file';
          return;
        }
        this.header = {
          version: piece[3]!,
          hasAudio: (piece[4]! & 0x04) !== 0,
          hasVideo: (piece[4]! & 0x01) !== 0,
        };
        const offset = ((piece[5]! << 24) >>> 0) + (piece[6]! << 16) + (piece[7]! << 8) + piece[8]!;
        this.next(offset > FILE_HEADER ? 'skip-header' : 'tag-header', offset - FILE_HEADER);
        break;
      }
      case 'skip-header':
        break;
      case 'tag-header': {
        const previous = ((piece[0]! << 24) >>> 0) + (piece[1]! << 16) + (piece[2]! << 8) + piece[3]!;
        if (previous !== this.lastTagSize) this.stats.previousTagSizeMismatches++;
        const h = PREVIOUS_SIZE;
        const size = (piece[h + 1]! << 16) | (piece[h + 2]! << 8) | piece[h + 3]!;
        this.tagType = piece[h]!;
        this.tagTime =
          ((piece[h + 7]! << 24) >>> 0) + ((piece[h + 4]! << 16) | (piece[h + 5]! << 8) | piece[h + 6]!);
        this.lastTagSize = TAG_HEADER + size;
        if (size > 0) this.next('body', size);
        else this.body(new Uint8Array(0), tags);
        break;
      }
      case 'body':
        this.body(piece, tags);
    }
  }

  private body(data: Uint8Array, tags: FlvTag[]): void {
    const type = this.tagType & 0x1f;
    const known = type === FLV_TAG.audio || type === FLV_TAG.video || type === FLV_TAG.script;
    if (known && (this.tagType & FILTER_BIT) === 0) {
      tags.push({ type: type as FlvTag['type'], timestamp: this.tagTime, data });
      this.stats.tags++;
    } else this.stats.skippedTags++;
    this.next('tag-header', 0);
  }

  private next(phase: Phase, need: number): void {
    this.phase = phase;
    this.need = phase === 'tag-header' ? PREVIOUS_SIZE + TAG_HEADER : need;
  }
}

/** Every tag of a whole file in memory. */
export function readFlvFile(bytes: Uint8Array): { reader: FlvFileReader; tags: FlvTag[] } {
  const reader = new FlvFileReader();
  return { reader, tags: reader.push(bytes) };
}
