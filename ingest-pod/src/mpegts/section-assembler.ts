// Reassembles PSI-style sections (PAT, PMT, SCTE-35) from the TS payloads of one PID. A section
// may span packets, and one packet may end a section and start more (pointer_field, 0xFF stuffing).

export interface SectionSink {
  /** A complete section; the view is only valid during the call. */
  section(section: Uint8Array): void;
  malformed(detail: string): void;
}

export class SectionAssembler {
  private readonly buf: Uint8Array;
  private len = 0;
  /** Total section size (3 + section_length) once its first 3 bytes are in, else -1. */
  private total = -1;
  private active = false;

  constructor(
    maxSectionBytes: number,
    private readonly sink: SectionSink,
  ) {
    this.buf = new Uint8Array(maxSectionBytes);
  }

  get bufferedBytes(): number {
    return this.len;
  }

  /** Forget a partial section (after a continuity error). */
  reset(): void {
    this.active = false;
    this.len = 0;
    this.total = -1;
  }

  push(data: Uint8Array, start: number, end: number, unitStart: boolean): void {
    if (!unitStart) {
      // Without a pointer_field no new section may start here; bytes after the end are stuffing.
      if (this.active) this.append(data, start, end);
      return;
    }
    const pointer = data[start]!;
    let pos = start + 1;
    if (pos + pointer > end) {
      this.sink.malformed('pointer_field beyond the packet');
      this.reset();
      return;
    }
    if (this.active) {
      this.append(data, pos, pos + pointer);
      if (this.active) {
        this.sink.malformed('section cut short by the next one');
        this.reset();
      }
    }
    pos += pointer;
    while (pos < end && data[pos] !== 0xff) {
      this.active = true;
      this.len = 0;
      this.total = -1;
      pos += this.append(data, pos, end);
      if (this.active) return;
    }
  }

  /** Copies bytes of the current section; returns how many it took. Emits the section when whole. */
  private append(data: Uint8Array, start: number, end: number): number {
    let pos = start;
    while (pos < end && this.active) {
      const want = this.total < 0 ? 3 - this.len : this.total - this.len;
      const n = Math.min(want, end - pos);
      this.buf.set(data.subarray(pos, pos + n), this.len);
      this.len += n;
      pos += n;
      if (this.total < 0) {
        if (this.len < 3) continue;
        this.total = 3 + (((this.buf[1]! & 0x0f) << 8) | this.buf[2]!);
        if (this.total > this.buf.length) {
          this.sink.malformed(`section_length ${this.total - 3} over the limit of ${this.buf.length - 3}`);
          this.reset();
        }
      } else if (this.len === this.total) {
        this.active = false;
        this.sink.section(this.buf.subarray(0, this.total));
        this.len = 0;
        this.total = -1;
      }
    }
    return pos - start;
  }
}
