// Reads the RBSP of an H.264/H.265 parameter set: fixed-width fields and exp-Golomb codes.

/** Removes emulation_prevention_three_byte (00 00 03 -> 00 00). */
export function unescapeRbsp(unit: Uint8Array): Uint8Array {
  const out = new Uint8Array(unit.length);
  let n = 0;
  let zeros = 0;
  for (const b of unit) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

export class BitReader {
  private bit = 0;

  constructor(private readonly data: Uint8Array) {}

  /** True once a read went past the end; the values read are then meaningless. */
  get overrun(): boolean {
    return this.bit > this.data.length * 8;
  }

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.data[this.bit >> 3] ?? 0;
      v = v * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return v;
  }

  flag(): boolean {
    return this.bits(1) === 1;
  }

  skip(n: number): void {
    this.bit += n;
  }

  /** ue(v); gives up (overrun) on codes longer than 32 bits. */
  ue(): number {
    let zeros = 0;
    while (this.bits(1) === 0) {
      if (++zeros > 32 || this.overrun) {
        this.bit = this.data.length * 8 + 1;
        return 0;
      }
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -(k / 2);
  }
}
