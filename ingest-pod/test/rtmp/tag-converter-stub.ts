// A stand-in for the FLV converter: one AVPacket per audio or video tag, tracks by tag type.
// Enough to test the reader's plumbing (queue, tracks events, reconnects) without codec work.
import type { AVPacket, TrackInfo } from '../../src/avpacket.js';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import type { TagConverter } from '../../src/rtmp/rtmp-reader.js';

export function stubConverter(): TagConverter {
  const tracks: TrackInfo[] = [];
  let revision = 0;
  return {
    push(tag: FlvTag): AVPacket[] {
      if (tag.type === 18) return [];
      const codec = tag.type === 9 ? 'h264' : 'aac';
      if (!tracks.some((t) => t.trackId === tag.type)) {
        tracks.push({ trackId: tag.type, codec });
        revision++;
      }
      const ticks = tag.timestamp * 90;
      return [
        {
          codec,
          trackId: tag.type,
          pts: ticks,
          dts: ticks,
          key: tag.type === 9 && tag.data[0]! >> 4 === 1,
          data: tag.data,
        },
      ];
    },
    get tracks() {
      return tracks;
    },
    get tracksRevision() {
      return revision;
    },
  };
}
