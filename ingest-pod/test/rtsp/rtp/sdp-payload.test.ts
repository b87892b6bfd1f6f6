import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TsDemuxer } from '../../../src/mpegts/demuxer-api.js';
import { rtpPayloadFromSdp } from '../../../src/rtsp/rtp/sdp-payload.js';
import type { SdpTrack } from '../../../src/rtsp/sdp.js';

const noDemuxer = () => ({}) as TsDemuxer;

function track(codec: string, fmtp: Record<string, string>): SdpTrack {
  return { media: 'video', payloadType: 96, codec, clockRate: 90_000, fmtp, control: 'rtsp://cam/track1' };
}

test('H.264 and H.265 parameter sets come from sprop-*', () => {
  const h264 = rtpPayloadFromSdp(track('H264', { 'sprop-parameter-sets': 'Z2QADaw=,aO+Pyw==' }), noDemuxer);
  assert.ok(h264 && typeof h264 === 'object' && h264.codec === 'h264');
  assert.deepEqual(
    h264.parameterSets?.map((u) => Buffer.from(u).toString('hex')),
    ['6764000dac', '68ef8fcb'],
  );
  const h265 = rtpPayloadFromSdp(
    track('H265', { 'sprop-vps': 'QAE=', 'sprop-sps': 'QgE=', 'sprop-pps': 'RAE=' }),
    noDemuxer,
  );
  assert.ok(h265 && typeof h265 === 'object' && h265.codec === 'h265');
  assert.equal(h265.parameterSets?.length, 3);
  assert.equal(rtpPayloadFromSdp(track('H264', {}), noDemuxer) !== null, true);
});

test('tracks we cannot use say which field is the problem; other codecs give null', () => {
  assert.match(
    String(rtpPayloadFromSdp(track('H264', { 'sprop-parameter-sets': 'Z2Q!' }), noDemuxer)),
    /sprop-parameter-sets/,
  );
  assert.match(
    String(rtpPayloadFromSdp(track('H264', { 'packetization-mode': '2' }), noDemuxer)),
    /packetization-mode=2/,
  );
  assert.match(
    String(rtpPayloadFromSdp(track('H265', { 'sprop-max-don-diff': '2' }), noDemuxer)),
    /sprop-max-don-diff/,
  );
  assert.match(
    String(rtpPayloadFromSdp(track('MPEG4-GENERIC', { mode: 'CELP-cbr' }), noDemuxer)),
    /AAC-hbr or AAC-lbr needed/,
  );
  assert.match(
    String(rtpPayloadFromSdp(track('MPEG4-GENERIC', { mode: 'AAC-hbr' }), noDemuxer)),
    /fmtp config/,
  );
  assert.match(
    String(
      rtpPayloadFromSdp(
        track('MPEG4-GENERIC', { mode: 'AAC-hbr', config: '1190', sizelength: 'x' }),
        noDemuxer,
      ),
    ),
    /sizelength/,
  );
  assert.equal(rtpPayloadFromSdp(track('PCMU', {}), noDemuxer), null);
});

test('AAC-hbr fields and MP2T', () => {
  const aac = rtpPayloadFromSdp(
    track('MPEG4-GENERIC', {
      mode: 'AAC-hbr',
      config: '1190',
      sizelength: '13',
      indexlength: '3',
      indexdeltalength: '3',
    }),
    noDemuxer,
  );
  assert.deepEqual(aac, {
    codec: 'aac',
    config: '1190',
    sizeLength: 13,
    indexLength: 3,
    indexDeltaLength: 3,
  });
  const demuxer = noDemuxer();
  assert.deepEqual(
    rtpPayloadFromSdp(track('MP2T', {}), () => demuxer),
    { codec: 'mp2t', demuxer },
  );
});
