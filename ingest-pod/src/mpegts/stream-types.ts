// Which codec a PMT entry carries: stream_type, refined by descriptors where stream_type is generic.
import type { Codec } from '../avpacket.js';
import type { PmtStream } from './psi-tables.js';

const BY_STREAM_TYPE: ReadonlyMap<number, Codec> = new Map<number, Codec>([
  [0x01, 'mpeg2video'], // MPEG-1 video: same start-code syntax, same parser
  [0x02, 'mpeg2video'],
  [0x03, 'mp2'], // MPEG-1 audio; refined to mp3 by the first frame header (layer III)
  [0x04, 'mp2'],
  [0x0f, 'aac'], // ADTS; LATM (0x11) is not ADTS and stays unknown
  [0x1b, 'h264'],
  [0x24, 'h265'],
  [0x81, 'ac3'], // ATSC
  [0x87, 'eac3'], // ATSC
  [0x86, 'scte35'],
]);

const DESCRIPTOR_REGISTRATION = 0x05;
const DESCRIPTOR_DVB_AC3 = 0x6a;
const DESCRIPTOR_DVB_EAC3 = 0x7a;

const BY_REGISTRATION: ReadonlyMap<string, Codec> = new Map<string, Codec>([
  ['AC-3', 'ac3'],
  ['EAC3', 'eac3'],
  ['HEVC', 'h265'],
]);

/** The codec for a PMT entry, or null when we have no access-unit parser for it. */
export function codecOf(stream: PmtStream): Codec | null {
  const direct = BY_STREAM_TYPE.get(stream.streamType);
  if (direct) return direct;
  if (stream.streamType !== 0x06) return null;
  // 0x06 is "PES private data": DVB says what it is with descriptors.
  for (const d of stream.descriptors) {
    if (d.tag === DESCRIPTOR_DVB_AC3) return 'ac3';
    if (d.tag === DESCRIPTOR_DVB_EAC3) return 'eac3';
    if (d.tag === DESCRIPTOR_REGISTRATION && d.body.length >= 4) {
      const id = String.fromCharCode(d.body[0]!, d.body[1]!, d.body[2]!, d.body[3]!);
      const codec = BY_REGISTRATION.get(id);
      if (codec) return codec;
    }
  }
  return null;
}
