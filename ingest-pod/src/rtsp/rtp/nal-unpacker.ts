// RTP payloads → NAL units: H.264 (RFC 6184 single NAL, STAP-A, FU-A) and H.265 (RFC 7798
// single, AP, FU; no DONL, as servers send with sprop-max-don-diff 0). A fragmented unit with a
// fragment missing is dropped whole.

export interface NalPayloadFormat {
  codec: 'h264' | 'h265';
  /** Bytes of the NAL unit header. */
  headerBytes: number;
  unitType(payload: Uint8Array): number;
  aggregation: number;
  fragmentation: number;
  /** The NAL unit header a fragmented unit had, from the payload's first bytes. */
  fragmentedHeader(payload: Uint8Array): Uint8Array;
  /** Types this format reserves for packetization modes we do not take (STAP-B, MTAP, FU-B, PACI). */
  unsupported: ReadonlySet<number>;
}

export const H264_PAYLOAD: NalPayloadFormat = {
  codec: 'h264',
  headerBytes: 1,
  unitType: (p) => p[0]! & 0x1f,
  aggregation: 24,
  fragmentation: 28,
  fragmentedHeader: (p) => Uint8Array.of((p[0]! & 0xe0) | (p[1]! & 0x1f)),
  unsupported: new Set([0, 25, 26, 27, 29, 30, 31]),
};

export const H265_PAYLOAD: NalPayloadFormat = {
  codec: 'h265',
  headerBytes: 2,
  unitType: (p) => (p[0]! >> 1) & 0x3f,
  aggregation: 48,
  fragmentation: 49,
  fragmentedHeader: (p) => Uint8Array.of((p[0]! & 0x81) | ((p[2]! & 0x3f) << 1), p[1]!),
  unsupported: new Set([50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63]),
};

const FU_START = 0x80;
const FU_END = 0x40;
/** A fragmented unit larger than this is refused (no real picture slice comes close). */
const MAX_UNIT_BYTES = 16 * 1024 * 1024;

export interface Unpacked {
  units: Uint8Array[];
  /** Why (part of) the payload was unusable. */
  malformed?: string;
  /** A fragmented unit was dropped because a fragment was missing. */
  fragmentLost?: boolean;
}

export class NalUnpacker {
  private fragments: Uint8Array[] = [];
  private fragmentBytes = 0;

  constructor(private readonly format: NalPayloadFormat) {}

  /** `continuous`: no sequence number was lost between this payload and the previous one. */
  push(payload: Uint8Array, continuous: boolean): Unpacked {
    const f = this.format;
    let fragmentLost = false;
    if (!continuous && this.fragments.length > 0) {
      this.dropFragments();
      fragmentLost = true;
    }
    if (payload.length <= f.headerBytes)
      return { units: [], malformed: `${f.codec} RTP payload of ${payload.length} bytes`, fragmentLost };
    const type = f.unitType(payload);
    if (type !== f.fragmentation && this.fragments.length > 0) {
      this.dropFragments();
      fragmentLost = true;
    }
    if (type === f.aggregation) return { ...this.aggregated(payload), fragmentLost };
    if (type === f.fragmentation) return this.fragment(payload, fragmentLost);
    if (f.unsupported.has(type))
      return {
        units: [],
        malformed: `${f.codec} RTP packetization type ${type} is not supported`,
        fragmentLost,
      };
    return { units: [payload], fragmentLost };
  }

  private aggregated(payload: Uint8Array): Unpacked {
    const units: Uint8Array[] = [];
    let at = this.format.headerBytes;
    while (at + 2 <= payload.length) {
      const size = (payload[at]! << 8) | payload[at + 1]!;
      at += 2;
      if (size === 0 || at + size > payload.length) {
        return {
          units,
          malformed: `${this.format.codec} aggregation unit of ${size} bytes past the payload`,
        };
      }
      units.push(payload.subarray(at, at + size));
      at += size;
    }
    return { units };
  }

  private fragment(payload: Uint8Array, fragmentLost: boolean): Unpacked {
    const fuHeaderAt = this.format.headerBytes;
    if (payload.length <= fuHeaderAt + 1) {
      return {
        units: [],
        malformed: `${this.format.codec} fragment of ${payload.length} bytes`,
        fragmentLost,
      };
    }
    const fu = payload[fuHeaderAt]!;
    const body = payload.subarray(fuHeaderAt + 1);
    if (fu & FU_START) {
      if (this.fragments.length > 0) {
        this.dropFragments();
        fragmentLost = true;
      }
      this.fragments.push(this.format.fragmentedHeader(payload));
      this.fragmentBytes = this.format.headerBytes;
    } else if (this.fragments.length === 0) {
      // The start was lost (already counted by the gap) or this is the tail of one we dropped.
      return { units: [], fragmentLost };
    }
    this.fragments.push(body.slice());
    this.fragmentBytes += body.length;
    if (this.fragmentBytes > MAX_UNIT_BYTES) {
      this.dropFragments();
      return {
        units: [],
        malformed: `${this.format.codec} fragmented unit over ${MAX_UNIT_BYTES} bytes`,
        fragmentLost,
      };
    }
    if (!(fu & FU_END)) return { units: [], fragmentLost };
    const unit = new Uint8Array(this.fragmentBytes);
    let at = 0;
    for (const part of this.fragments) {
      unit.set(part, at);
      at += part.length;
    }
    this.dropFragments();
    return { units: [unit], fragmentLost };
  }

  private dropFragments(): void {
    this.fragments = [];
    this.fragmentBytes = 0;
  }
}
