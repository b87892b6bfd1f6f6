// MPEG-TS over RTP (payload type 33, RFC 2250): the payload is TS bytes for our demuxer.
import type { AVPacket } from '../../avpacket.js';
import type { TsDemuxer } from '../../mpegts/demuxer-api.js';
import type { Depacketizer } from './depacketizer.js';
import type { RtpPacket } from './rtp-packet.js';
import type { MalformedReport, RtpTrackStats } from './rtp-stats.js';

const TS_SYNC = 0x47;

export class Mp2tDepacketizer implements Depacketizer {
  constructor(
    private readonly demuxer: TsDemuxer,
    private readonly stats: RtpTrackStats,
    private readonly malformed: MalformedReport,
  ) {}

  push(packet: RtpPacket, _continuous: boolean, _pts: number, out: AVPacket[]): void {
    if (packet.payload[0] !== TS_SYNC) {
      this.stats.malformed++;
      this.malformed('MP2T RTP payload does not start with a TS sync byte');
      return;
    }
    out.push(...this.demuxer.push(packet.payload));
  }

  flush(out: AVPacket[]): void {
    out.push(...this.demuxer.flush());
  }
}
