import type { Codec } from '../../avpacket.js';
import { AC3_SYNTAX } from './ac3.js';
import { ADTS_SYNTAX } from './adts.js';
import { AudioParser } from './audio-parser.js';
import type { ElementaryParser, MalformedSink, RefusedSink } from './elementary-parser.js';
import { H264_SYNTAX } from './h264.js';
import { H265_SYNTAX } from './h265.js';
import { MPEG_AUDIO_SYNTAX } from './mpeg-audio.js';
import { MPEG2_VIDEO_SYNTAX } from './mpeg2-video.js';
import { VideoParser } from './video-parser.js';

/** The access-unit parser for a PES codec, or null (scte35 is sections, not PES). */
export function createParser(
  codec: Codec,
  pid: number,
  malformed: MalformedSink,
  refused?: RefusedSink,
): ElementaryParser | null {
  switch (codec) {
    case 'h264':
      return new VideoParser(pid, H264_SYNTAX, malformed, refused);
    case 'h265':
      return new VideoParser(pid, H265_SYNTAX, malformed, refused);
    case 'mpeg2video':
      return new VideoParser(pid, MPEG2_VIDEO_SYNTAX, malformed, refused);
    case 'aac':
      return new AudioParser(pid, codec, ADTS_SYNTAX, malformed);
    case 'mp2':
    case 'mp3':
      return new AudioParser(pid, codec, MPEG_AUDIO_SYNTAX, malformed);
    case 'ac3':
    case 'eac3':
      return new AudioParser(pid, codec, AC3_SYNTAX, malformed);
    default:
      return null;
  }
}
