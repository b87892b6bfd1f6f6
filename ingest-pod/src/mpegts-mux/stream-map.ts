// How each codec is declared in the PMT and carried on its PID, the way ffmpeg's mpegts muxer
// writes it (so ffprobe, VLC and our own demuxer recognise every stream).
import type { Codec } from '../avpacket.js';

/** How an access unit travels: in a PES packet, or (SCTE-35) as a PSI section. */
export type Carriage = 'pes' | 'section';

export interface MuxStream {
  streamType: number;
  /** PES stream_id (unused for sections). */
  streamId: number;
  carriage: Carriage;
  /** The ES_info descriptor loop, ready to copy into the PMT. */
  descriptors: Uint8Array;
}

const STREAM_ID_VIDEO = 0xe0;
const STREAM_ID_MPEG_AUDIO = 0xc0;
const STREAM_ID_PRIVATE_1 = 0xbd;

const DESCRIPTOR_REGISTRATION = 0x05;
const DESCRIPTOR_DVB_EXTENSION = 0x7f;
const EXTENSION_TAG_OPUS = 0x80;
/** Opus channel_config_code when the count is outside 1..8 (codes 1..8: Vorbis channel order). */
const OPUS_CHANNELS_UNKNOWN = 0xff;

function registration(id: string): number[] {
  return [DESCRIPTOR_REGISTRATION, 4, id.charCodeAt(0), id.charCodeAt(1), id.charCodeAt(2), id.charCodeAt(3)];
}

/** The registration descriptor SCTE 35 wants in the program_info loop of a program with cues. */
export const CUEI_REGISTRATION: Uint8Array = Uint8Array.from(registration('CUEI'));

function pes(streamType: number, streamId: number, descriptors: number[] = []): MuxStream {
  return { streamType, streamId, carriage: 'pes', descriptors: Uint8Array.from(descriptors) };
}

/**
 * The PMT entry for a codec, or null when there is no TS mapping ffmpeg reads: AV1 (only a draft
 * AOM mapping, which ffmpeg 5 neither writes nor reads). `channels` only matters for Opus.
 */
export function muxStreamOf(codec: Codec, channels = 2): MuxStream | null {
  switch (codec) {
    case 'h264':
      return pes(0x1b, STREAM_ID_VIDEO);
    case 'h265':
      return pes(0x24, STREAM_ID_VIDEO);
    case 'mpeg2video':
      return pes(0x02, STREAM_ID_VIDEO);
    case 'aac':
      return pes(0x0f, STREAM_ID_MPEG_AUDIO); // ADTS
    case 'mp2':
    case 'mp3':
      return pes(0x03, STREAM_ID_MPEG_AUDIO); // MPEG-1 audio; demuxers read the layer from the frames
    case 'ac3':
      return pes(0x81, STREAM_ID_PRIVATE_1, registration('AC-3')); // ATSC
    case 'eac3':
      return pes(0x87, STREAM_ID_PRIVATE_1, registration('EAC3')); // ATSC
    case 'opus': {
      const config = channels >= 1 && channels <= 8 ? channels : OPUS_CHANNELS_UNKNOWN;
      return pes(0x06, STREAM_ID_PRIVATE_1, [
        ...registration('Opus'),
        ...[DESCRIPTOR_DVB_EXTENSION, 2, EXTENSION_TAG_OPUS, config],
      ]);
    }
    case 'scte35':
      return { streamType: 0x86, streamId: 0, carriage: 'section', descriptors: new Uint8Array(0) };
    case 'av1':
      return null;
  }
}
