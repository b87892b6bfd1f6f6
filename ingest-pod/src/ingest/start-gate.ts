import { AUDIO_CODECS, type AVPacket, type TrackInfo, VIDEO_CODECS } from '../avpacket.js';

const isVideo = (packet: AVPacket) => VIDEO_CODECS.has(packet.codec);

/** Whether the source has video, as far as its tracks (PMT) or this batch tell. */
function hasVideo(packets: readonly AVPacket[], tracks: readonly TrackInfo[]): boolean {
  return tracks.some((track) => VIDEO_CODECS.has(track.codec)) || packets.some(isVideo);
}

/**
 * Whether publishing could start with this batch: it holds a video keyframe, or the source has
 * no video and the batch holds audio. Candidates and probes report media only from here on.
 */
export function canStartFrom(packets: readonly AVPacket[], tracks: readonly TrackInfo[]): boolean {
  if (hasVideo(packets, tracks)) return packets.some((packet) => packet.key && isVideo(packet));
  return packets.some((packet) => AUDIO_CODECS.has(packet.codec));
}

/**
 * The batch from its first video keyframe on (everything when the source has no video), so that a
 * newly published input starts where a decoder can.
 */
export function fromFirstKeyframe(packets: AVPacket[], tracks: readonly TrackInfo[]): AVPacket[] {
  if (!hasVideo(packets, tracks)) return packets;
  const first = packets.findIndex((packet) => packet.key && isVideo(packet));
  return first < 0 ? [] : packets.slice(first);
}
