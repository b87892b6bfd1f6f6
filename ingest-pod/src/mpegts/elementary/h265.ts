// H.265 (ISO/IEC 23008-2) unit types and the picture size from a sequence parameter set.
import { BitReader, unescapeRbsp } from './bit-reader.js';
import {
  UNIT_DELIMITER,
  UNIT_KEY_PICTURE,
  UNIT_OTHER,
  UNIT_PARAM,
  UNIT_PICTURE,
  type VideoSyntax,
} from './video-syntax.js';

const NAL_IRAP_FIRST = 16; // BLA_W_LP
const NAL_IRAP_LAST = 23; // RSV_IRAP_VCL23
/** VPS 32, SPS 33, PPS 34: parameter-set kinds 0, 1, 2. */
const NAL_VPS = 32;
const NAL_PPS = 34;
const NAL_AUD = 35;

function skipProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): void {
  r.skip(96); // general profile (88 bits) and general_level_idc
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(r.flag());
    levelPresent.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) r.skip(88);
    if (levelPresent[i]) r.skip(8);
  }
}

export function h265PictureSize(sps: Uint8Array): { width: number; height: number } | null {
  const r = new BitReader(unescapeRbsp(sps));
  r.skip(16); // NAL header
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  r.skip(1); // sps_temporal_id_nesting_flag
  skipProfileTierLevel(r, maxSubLayersMinus1);
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat === 3) r.skip(1); // separate_colour_plane_flag
  let width = r.ue();
  let height = r.ue();
  if (r.flag()) {
    const subWidth = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
    const subHeight = chromaFormat === 1 ? 2 : 1;
    width -= subWidth * (r.ue() + r.ue());
    height -= subHeight * (r.ue() + r.ue());
  }
  if (r.overrun) return null;
  return width > 0 && height > 0 ? { width, height } : null;
}

export const H265_SYNTAX: VideoSyntax = {
  codec: 'h265',
  paramKinds: 3,
  classify(d, pos) {
    const type = (d[pos]! >> 1) & 0x3f;
    if (type < NAL_VPS) {
      return type >= NAL_IRAP_FIRST && type <= NAL_IRAP_LAST ? UNIT_KEY_PICTURE : UNIT_PICTURE;
    }
    if (type <= NAL_PPS) return UNIT_PARAM + (type - NAL_VPS);
    if (type === NAL_AUD) return UNIT_DELIMITER;
    return UNIT_OTHER;
  },
  pictureSize: (kind, unit) => (kind === 1 ? h265PictureSize(unit) : null),
};
