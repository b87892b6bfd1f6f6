// What an SDP media section says about its payload, as RtpTrack options.
import type { TsDemuxer } from '../../mpegts/demuxer-api.js';
import type { SdpTrack } from '../sdp.js';
import { aacConfigFromFmtp } from './aac-depacketizer.js';
import type { RtpPayload } from './rtp-track.js';
import { parseSprop } from './sprop.js';

/** Codecs (SDP encoding names) a track can carry; anything else is not set up. */
export const RTP_CODECS = ['H264', 'H265', 'MPEG4-GENERIC', 'MP2T'] as const;

function integer(track: SdpTrack, name: string, fallback: number): number | string {
  const value = track.fmtp[name];
  if (value === undefined) return fallback;
  return /^\d+$/.test(value)
    ? Number(value)
    : `fmtp ${name}=${JSON.stringify(value)}: expected a whole number`;
}

function parameterSets(track: SdpTrack, names: readonly string[]): Uint8Array[] | string {
  const units: Uint8Array[] = [];
  for (const name of names) {
    const parsed = parseSprop(name, track.fmtp[name] ?? '');
    if (typeof parsed === 'string') return parsed;
    units.push(...parsed);
  }
  return units;
}

/**
 * The payload options for a track, null when its codec is not one we take, or why the track
 * cannot be used although its codec is (a field named, for the reader's error).
 */
export function rtpPayloadFromSdp(
  track: SdpTrack,
  createDemuxer: () => TsDemuxer,
): RtpPayload | string | null {
  switch (track.codec) {
    case 'H264': {
      if (track.fmtp['packetization-mode'] === '2')
        return 'H.264 packetization-mode=2 (interleaved) is not supported';
      const sets = parameterSets(track, ['sprop-parameter-sets']);
      return typeof sets === 'string' ? sets : { codec: 'h264', parameterSets: sets };
    }
    case 'H265': {
      if ((track.fmtp['sprop-max-don-diff'] ?? '0') !== '0')
        return 'H.265 with sprop-max-don-diff > 0 (DONL) is not supported';
      const sets = parameterSets(track, ['sprop-vps', 'sprop-sps', 'sprop-pps']);
      return typeof sets === 'string' ? sets : { codec: 'h265', parameterSets: sets };
    }
    case 'MPEG4-GENERIC': {
      const mode = (track.fmtp.mode ?? '').toLowerCase();
      if (mode !== 'aac-hbr' && mode !== 'aac-lbr')
        return `mpeg4-generic mode=${JSON.stringify(track.fmtp.mode ?? '')}: AAC-hbr or AAC-lbr needed`;
      const config = track.fmtp.config ?? '';
      const checked = aacConfigFromFmtp(config);
      if (typeof checked === 'string') return checked;
      const sizeLength = integer(track, 'sizelength', 13);
      const indexLength = integer(track, 'indexlength', 3);
      const indexDeltaLength = integer(track, 'indexdeltalength', 3);
      for (const v of [sizeLength, indexLength, indexDeltaLength]) if (typeof v === 'string') return v;
      return {
        codec: 'aac',
        config,
        sizeLength: sizeLength as number,
        indexLength: indexLength as number,
        indexDeltaLength: indexDeltaLength as number,
      };
    }
    case 'MP2T':
      return { codec: 'mp2t', demuxer: createDemuxer() };
    default:
      return null;
  }
}
