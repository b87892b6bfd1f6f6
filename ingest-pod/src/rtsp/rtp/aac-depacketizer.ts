// MPEG-4 AAC over RTP, RFC 3640 `mpeg4-generic` (AAC-hbr and other size/index layouts) → one
// AVPacket per access unit with its ADTS header, as the RTMP path emits AAC. Each AU of a packet
// gets its own time: the packet's timestamp plus its index × the frame length.
import type { AVPacket } from '../../avpacket.js';
import {
  type AacConfig,
  ADTS_MAX_PAYLOAD,
  adtsProblem,
  readAudioSpecificConfig,
  withAdtsHeader,
} from '../../flv/aac-config.js';
import { BitReader } from '../../mpegts/elementary/bit-reader.js';
import type { Depacketizer } from './depacketizer.js';
import type { RtpPacket } from './rtp-packet.js';
import type { MalformedReport, RtpTrackStats } from './rtp-stats.js';

export interface AacDepacketizerOptions {
  trackId: number;
  clockRate: number;
  /** fmtp `config=`: the AudioSpecificConfig in hex. */
  config: string;
  /** fmtp `sizelength`, `indexlength`, `indexdeltalength` (AAC-hbr: 13, 3, 3). */
  sizeLength?: number;
  indexLength?: number;
  indexDeltaLength?: number;
}

/** Samples per AAC frame, in the RTP clock (the sample rate). */
const FRAME_SAMPLES = 1024;
const TICKS_PER_SECOND = 90_000;

/** The AudioSpecificConfig, or why it cannot be carried (then the track is unsupported). */
export function aacConfigFromFmtp(hex: string): AacConfig | string {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex))
    return `fmtp config=${JSON.stringify(hex)}: expected the AudioSpecificConfig in hex`;
  const config = readAudioSpecificConfig(Buffer.from(hex, 'hex'));
  if (typeof config === 'string') return `fmtp config: ${config}`;
  return adtsProblem(config) ?? config;
}

function isAdts(frame: Uint8Array): boolean {
  return frame.length >= 2 && frame[0] === 0xff && (frame[1]! & 0xf6) === 0xf0;
}

export class AacDepacketizer implements Depacketizer {
  private readonly config: AacConfig;
  private readonly sizeLength: number;
  private readonly indexLength: number;
  private readonly indexDeltaLength: number;
  /** One AU split over several packets: its parts so far, its size and time. */
  private fragment: { parts: Uint8Array[]; bytes: number; size: number; pts: number } | null = null;

  constructor(
    private readonly options: AacDepacketizerOptions,
    private readonly stats: RtpTrackStats,
    private readonly malformed: MalformedReport,
  ) {
    const config = aacConfigFromFmtp(options.config);
    if (typeof config === 'string') throw new Error(`${config}; AAC track ${options.trackId} cannot be used`);
    this.config = config;
    this.sizeLength = options.sizeLength ?? 13;
    this.indexLength = options.indexLength ?? 3;
    this.indexDeltaLength = options.indexDeltaLength ?? 3;
  }

  push(packet: RtpPacket, continuous: boolean, pts: number, out: AVPacket[]): void {
    if (this.fragment && (!continuous || pts !== this.fragment.pts)) {
      this.fragment = null;
      this.stats.fragmentsLost++;
    }
    const p = packet.payload;
    if (p.length < 2) {
      this.bad(`AAC RTP payload of ${p.length} bytes`);
      return;
    }
    const headerBits = (p[0]! << 8) | p[1]!;
    const headerBytes = Math.ceil(headerBits / 8);
    if (2 + headerBytes > p.length) {
      this.bad(`AU-headers-length ${headerBits} bits past the payload`);
      return;
    }
    const sizes = this.auSizes(p.subarray(2, 2 + headerBytes), headerBits);
    if (typeof sizes === 'string') {
      this.bad(sizes);
      return;
    }
    let at = 2 + headerBytes;
    if (this.fragment) {
      this.continueFragment(p.subarray(at), packet.marker, out);
      return;
    }
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      const auPts = pts + Math.round((i * FRAME_SAMPLES * TICKS_PER_SECOND) / this.options.clockRate);
      if (at + size > p.length) {
        if (sizes.length === 1 && !packet.marker) {
          this.fragment = { parts: [p.slice(at)], bytes: p.length - at, size, pts: auPts };
          return;
        }
        this.bad(`AAC access unit of ${size} bytes past the payload`);
        return;
      }
      this.emit(p.subarray(at, at + size), auPts, out);
      at += size;
    }
  }

  flush(): void {
    if (this.fragment) this.stats.fragmentsLost++;
    this.fragment = null;
  }

  private continueFragment(part: Uint8Array, marker: boolean, out: AVPacket[]): void {
    const f = this.fragment!;
    f.parts.push(part.slice());
    f.bytes += part.length;
    if (f.bytes < f.size && !marker) return;
    this.fragment = null;
    if (f.bytes !== f.size) {
      this.bad(`fragmented AAC access unit of ${f.bytes} bytes, header said ${f.size}`);
      return;
    }
    this.emit(Buffer.concat(f.parts), f.pts, out);
  }

  /** AU sizes from the AU-header section; index fields are skipped (AUs taken as consecutive). */
  private auSizes(headers: Uint8Array, bits: number): number[] | string {
    const r = new BitReader(headers);
    const sizes: number[] = [];
    let used = 0;
    while (used < bits) {
      const indexBits = sizes.length === 0 ? this.indexLength : this.indexDeltaLength;
      if (used + this.sizeLength + indexBits > bits)
        return `AU-headers-length ${bits} bits is not whole AU headers`;
      sizes.push(r.bits(this.sizeLength));
      r.skip(indexBits);
      used += this.sizeLength + indexBits;
    }
    return sizes.length > 0 ? sizes : 'AAC RTP payload without AU headers';
  }

  private emit(frame: Uint8Array, pts: number, out: AVPacket[]): void {
    if (frame.length === 0 || frame.length > ADTS_MAX_PAYLOAD) {
      this.bad(`AAC access unit of ${frame.length} bytes`);
      return;
    }
    const data = isAdts(frame) ? frame.slice() : withAdtsHeader(this.config, frame);
    out.push({ codec: 'aac', trackId: this.options.trackId, pts, dts: pts, key: false, data });
  }

  private bad(detail: string): void {
    this.stats.malformed++;
    this.malformed(detail);
  }
}
