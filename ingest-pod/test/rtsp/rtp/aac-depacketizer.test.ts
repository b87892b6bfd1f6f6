import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aacConfigFromFmtp } from '../../../src/rtsp/rtp/aac-depacketizer.js';
import { RtpTrack } from '../../../src/rtsp/rtp/rtp-track.js';
import { rtpPacket } from './rtp-builder.js';

/** AAC-LC, 48 kHz, stereo. */
const CONFIG = '1190';

/** AAC-hbr payload: AU-headers-length, 16-bit headers (13-bit size, 3-bit index), then the AUs. */
function hbr(aus: Uint8Array[], sizes = aus.map((a) => a.length)): Uint8Array {
  const head = new Uint8Array(2 + 2 * sizes.length);
  const v = new DataView(head.buffer);
  v.setUint16(0, 16 * sizes.length);
  for (const [i, s] of sizes.entries()) v.setUint16(2 + 2 * i, s << 3);
  return Buffer.concat([head, ...aus]);
}

const au = (n: number, size = 100) => new Uint8Array(size).fill(n);

function aacTrack(clockRate = 48_000) {
  return new RtpTrack({ trackId: 1, clockRate, payload: { codec: 'aac', config: CONFIG } });
}

test('several AUs in one packet each get their own timestamp and an ADTS header', () => {
  const track = aacTrack();
  const out = track.push(
    rtpPacket(hbr([au(1), au(2), au(3, 7)]), { sequence: 1, timestamp: 48_000, marker: true }),
    0,
  );
  assert.deepEqual(
    out.map((p) => [p.codec, p.trackId, p.pts, p.dts, p.key, p.data.length]),
    [
      ['aac', 1, 90_000, 90_000, false, 107],
      ['aac', 1, 91_920, 91_920, false, 107],
      ['aac', 1, 93_840, 93_840, false, 14],
    ],
  );
  const d = out[2]!.data;
  assert.deepEqual([d[0], d[1]! & 0xf6], [0xff, 0xf0]); // ADTS sync
  assert.equal((d[2]! >> 2) & 0x0f, 3); // sample rate index 3 = 48 kHz
  assert.equal(((d[3]! & 0x03) << 11) | (d[4]! << 3) | (d[5]! >> 5), 14); // frame length counts the header
  assert.deepEqual([...d.subarray(7)], [...au(3, 7)]);
});

test('an AU larger than one packet is joined from its fragments; a lost fragment drops it', () => {
  const track = aacTrack();
  const big = new Uint8Array(3000).map((_, i) => i & 0xff);
  const first = hbr([big.subarray(0, 1400)], [3000]);
  const second = hbr([big.subarray(1400, 2800)], [3000]);
  const third = hbr([big.subarray(2800)], [3000]);
  const out = [
    ...track.push(rtpPacket(first, { sequence: 1, timestamp: 0 }), 0),
    ...track.push(rtpPacket(second, { sequence: 2, timestamp: 0 }), 0),
    ...track.push(rtpPacket(third, { sequence: 3, timestamp: 0, marker: true }), 0),
  ];
  assert.equal(out.length, 1);
  assert.deepEqual([...out[0]!.data.subarray(7)], [...big]);
  const lossy = [
    ...track.push(rtpPacket(first, { sequence: 4, timestamp: 1024 }), 0),
    ...track.push(rtpPacket(third, { sequence: 6, timestamp: 1024, marker: true }), 0),
    ...track.push(rtpPacket(hbr([au(9)]), { sequence: 7, timestamp: 2048, marker: true }), 0),
    ...track.poll(1000),
  ];
  assert.deepEqual(
    lossy.map((p) => p.data.length),
    [107],
  );
  assert.equal(track.stats.fragmentsLost, 1);
  assert.equal(track.stats.lost, 1);
});

test('AUs already in ADTS pass unchanged; broken AU headers are malformed', () => {
  const track = aacTrack();
  const adts = Uint8Array.of(0xff, 0xf1, 0x4c, 0x80, 0x01, 0x3f, 0xfc, 9, 9);
  const out = track.push(rtpPacket(hbr([adts]), { sequence: 1, timestamp: 0, marker: true }), 0);
  assert.deepEqual([...out[0]!.data], [...adts]);
  track.push(rtpPacket(Uint8Array.of(0, 16, 0xff), { sequence: 2, timestamp: 1024, marker: true }), 0);
  track.push(rtpPacket(Uint8Array.of(0, 12, 0, 0, 1), { sequence: 3, timestamp: 2048, marker: true }), 0);
  assert.equal(track.stats.malformed, 2);
});

test('fmtp config is checked: hex, a readable AudioSpecificConfig, one ADTS can carry', () => {
  assert.equal(typeof aacConfigFromFmtp('1190'), 'object');
  assert.match(
    aacConfigFromFmtp('11x') as string,
    /fmtp config="11x": expected the AudioSpecificConfig in hex/,
  );
  assert.match(aacConfigFromFmtp('0000') as string, /object type 0/);
  assert.match(aacConfigFromFmtp('f8ee20') as string, /aac object type/);
  assert.throws(
    () => new RtpTrack({ trackId: 1, clockRate: 48_000, payload: { codec: 'aac', config: 'zz' } }),
    /AAC track 1 cannot be used/,
  );
});
