// MPEG-1/2 video (ISO/IEC 13818-2): the sequence header (with its extensions) is the parameter set,
// an I picture is the keyframe.
import {
  UNIT_KEY_PICTURE,
  UNIT_OTHER,
  UNIT_PARAM,
  UNIT_PARAM_CONTINUED,
  UNIT_PICTURE,
  type VideoSyntax,
} from './video-syntax.js';

const PICTURE_START = 0x00;
const SEQUENCE_HEADER = 0xb3;
const EXTENSION_START = 0xb5;
const PICTURE_TYPE_I = 1;

export const MPEG2_VIDEO_SYNTAX: VideoSyntax = {
  codec: 'mpeg2video',
  paramKinds: 1,
  classify(d, pos, end, previous) {
    const code = d[pos]!;
    if (code === PICTURE_START) {
      // temporal_reference (10 bits), then picture_coding_type (3 bits)
      if (pos + 2 >= end) return UNIT_PICTURE;
      return ((d[pos + 2]! >> 3) & 7) === PICTURE_TYPE_I ? UNIT_KEY_PICTURE : UNIT_PICTURE;
    }
    if (code === SEQUENCE_HEADER) return UNIT_PARAM;
    if (code === EXTENSION_START && previous === UNIT_PARAM) return UNIT_PARAM_CONTINUED;
    return UNIT_OTHER;
  },
  pictureSize(_kind, unit) {
    if (unit.length < 4) return null;
    const width = (unit[1]! << 4) | (unit[2]! >> 4);
    const height = ((unit[2]! & 0x0f) << 8) | unit[3]!;
    return width > 0 && height > 0 ? { width, height } : null;
  },
};
