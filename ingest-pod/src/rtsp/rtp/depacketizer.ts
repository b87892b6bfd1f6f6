import type { AVPacket } from '../../avpacket.js';
import type { RtpPacket } from './rtp-packet.js';

/** Turns one track's in-order RTP packets into AVPackets. */
export interface Depacketizer {
  /**
   * `continuous`: no packet is missing before this one. `pts`: the packet's timestamp in
   * 90 kHz ticks (unwrapped).
   */
  push(packet: RtpPacket, continuous: boolean, pts: number, out: AVPacket[]): void;
  /** Emits what is still held (end of stream). */
  flush(out: AVPacket[]): void;
}
