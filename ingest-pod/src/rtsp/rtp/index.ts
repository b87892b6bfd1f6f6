// RTP → AVPackets for the RTSP reader: one RtpTrack per SETUP track, fed every datagram.
export { aacConfigFromFmtp } from './aac-depacketizer.js';
export { DEFAULT_REORDER_DEPTH } from './nal-depacketizer.js';
export type { ReorderOptions, ReorderStats } from './reorder-buffer.js';
export { alignmentOffsets, parseSenderReports, type SenderReport, type TrackAnchor } from './rtp-clock.js';
export { parseRtpPacket, type RtpPacket } from './rtp-packet.js';
export type { RtpTrackStats } from './rtp-stats.js';
export { type RtpPayload, RtpTrack, type RtpTrackOptions } from './rtp-track.js';
export { RTP_CODECS, rtpPayloadFromSdp } from './sdp-payload.js';
export { parseSprop } from './sprop.js';
