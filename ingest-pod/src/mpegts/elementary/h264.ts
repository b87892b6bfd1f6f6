// H.264 (ISO/IEC 14496-10) unit types and the picture size from a sequence parameter set.
import { BitReader, unescapeRbsp } from './bit-reader.js';
import {
  UNIT_DELIMITER,
  UNIT_KEY_PICTURE,
  UNIT_OTHER,
  UNIT_PARAM,
  UNIT_PICTURE,
  type VideoSyntax,
} from './video-syntax.js';

const NAL_SLICE = 1;
const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_PPS = 8;
const NAL_AUD = 9;

/** Profiles whose SPS carries chroma_format_idc and the fields after it. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let i = 0; i < size && !r.overrun; i++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

export function h264PictureSize(sps: Uint8Array): { width: number; height: number } | null {
  const r = new BitReader(unescapeRbsp(sps));
  r.skip(8); // NAL header
  const profile = r.bits(8);
  r.skip(16); // constraint flags, level_idc
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separateColourPlanes = false;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) separateColourPlanes = r.flag();
    r.ue(); // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      const lists = chromaFormat === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.skip(1);
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle && !r.overrun; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue() + 1;
  const heightInMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (r.flag()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  if (r.overrun) return null;
  const chromaArrayType = separateColourPlanes ? 0 : chromaFormat;
  const subWidth = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeight = chromaArrayType === 1 ? 2 : 1;
  const cropX = chromaArrayType === 0 ? 1 : subWidth;
  const cropY = (chromaArrayType === 0 ? 1 : subHeight) * (frameMbsOnly ? 1 : 2);
  const [left, right, top, bottom] = crop as [number, number, number, number];
  const width = widthInMbs * 16 - cropX * (left + right);
  const height = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16 - cropY * (top + bottom);
  return width > 0 && height > 0 ? { width, height } : null;
}

export const H264_SYNTAX: VideoSyntax = {
  codec: 'h264',
  paramKinds: 2,
  classify(d, pos) {
    const type = d[pos]! & 0x1f;
    if (type === NAL_IDR) return UNIT_KEY_PICTURE;
    if (type >= NAL_SLICE && type < NAL_IDR) return UNIT_PICTURE;
    if (type === NAL_SPS) return UNIT_PARAM;
    if (type === NAL_PPS) return UNIT_PARAM + 1;
    if (type === NAL_AUD) return UNIT_DELIMITER;
    return UNIT_OTHER;
  },
  pictureSize: (kind, unit) => (kind === 0 ? h264PictureSize(unit) : null),
};
