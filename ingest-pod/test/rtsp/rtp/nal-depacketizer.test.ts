import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AVPacket } from '../../../src/avpacket.js';
import { RtpTrack } from '../../../src/rtsp/rtp/rtp-track.js';
import { aggregate, annexB, fu265, fuA, nal, rtpPacket } from './rtp-builder.js';

const sps = nal([0x67, 100, 0, 31], 12);
const pps = nal([0x68, 0xee], 4);
const hex = (d: Uint8Array) => Buffer.from(d).toString('hex');

function h264Track(parameterSets?: Uint8Array[], reorderDepth?: number) {
  const malformed: string[] = [];
  const track = new RtpTrack({
    trackId: 7,
    clockRate: 90_000,
    payloadType: 96,
    payload: { codec: 'h264', parameterSets, reorderDepth },
    onMalformed: (d) => malformed.push(d),
  });
  return { track, malformed };
}

/** Feeds payloads as consecutive RTP packets; `frames` lists each access unit's payloads and timestamp. */
function feed(
  track: RtpTrack,
  frames: { ts: number; payloads: Uint8Array[]; marker?: boolean }[],
  firstSeq = 100,
): AVPacket[] {
  const out: AVPacket[] = [];
  let seq = firstSeq;
  for (const f of frames) {
    f.payloads.forEach((p, i) => {
      const last = i === f.payloads.length - 1;
      const datagram = rtpPacket(p, { sequence: seq++, timestamp: f.ts, marker: last && f.marker !== false });
      out.push(...track.push(datagram, 0));
    });
  }
  return out;
}

test('SDP parameter sets go in front of a keyframe that lacks them; access units end on the marker', () => {
  const { track } = h264Track([sps, pps], 0);
  const idr = nal([0x65, 0x88], 3000);
  const sei = nal([0x06, 5], 10);
  const p = nal([0x41, 0x9a], 500);
  const out = feed(track, [
    { ts: 9000, payloads: [sei, ...fuA(idr, 3)] },
    { ts: 12000, payloads: [p] },
  ]);
  assert.equal(out.length, 2);
  assert.equal(hex(out[0]!.data), hex(annexB([sps, pps, sei, idr])));
  assert.deepEqual(
    out.map((a) => [a.codec, a.trackId, a.key, a.pts, a.dts]),
    [
      ['h264', 7, true, 9000, 9000],
      ['h264', 7, false, 12000, 12000],
    ],
  );
  assert.equal(hex(out[1]!.data), hex(annexB([p])));
});

test('inline parameter sets (STAP-A) refresh the cache and are not doubled', () => {
  const { track } = h264Track([nal([0x67, 66, 0, 30], 10), pps]);
  const sps2 = nal([0x67, 100, 0, 40], 14);
  const idr = nal([0x65, 0x88], 100);
  const out = feed(track, [
    { ts: 0, payloads: [aggregate([0x78], [sps2, pps]), idr] },
    { ts: 3000, payloads: [idr] },
  ]);
  assert.equal(hex(out[0]!.data), hex(annexB([sps2, pps, idr])));
  assert.equal(hex(out[1]!.data), hex(annexB([sps2, pps, idr])));
});

test('an access unit also ends when the timestamp changes without a marker', () => {
  const { track } = h264Track([sps, pps], 0);
  const out = feed(track, [
    { ts: 0, payloads: [nal([0x65], 50)], marker: false },
    { ts: 3000, payloads: [nal([0x41], 50)], marker: false },
    { ts: 6000, payloads: [nal([0x41], 50)] },
  ]);
  assert.deepEqual(
    out.map((a) => a.pts),
    [0, 3000, 6000],
  );
});

test('a keyframe without parameter sets is dropped, and so are the frames that depend on it', () => {
  const { track } = h264Track(undefined, 0);
  const out = feed(track, [
    { ts: 0, payloads: [nal([0x65], 50)] },
    { ts: 3000, payloads: [nal([0x41], 50)] },
  ]);
  assert.equal(out.length, 0);
  assert.equal(track.stats.keyframesWithoutParameterSets, 1);
  assert.equal(track.stats.videoBeforeKeyframe, 1);
});

test('a fragment lost mid-FU drops that unit and counts it; the stream goes on', () => {
  const { track } = h264Track([sps, pps], 0);
  const idr = nal([0x65], 4000);
  const parts = fuA(nal([0x41], 4000), 4);
  const out: AVPacket[] = [];
  out.push(...track.push(rtpPacket(idr, { sequence: 1, timestamp: 0, marker: true }), 0));
  out.push(...track.push(rtpPacket(parts[0]!, { sequence: 2, timestamp: 3000 }), 0));
  out.push(...track.push(rtpPacket(parts[1]!, { sequence: 3, timestamp: 3000 }), 0));
  // 4 never arrives
  out.push(...track.push(rtpPacket(parts[3]!, { sequence: 5, timestamp: 3000, marker: true }), 0));
  const p = nal([0x41], 60);
  out.push(...track.push(rtpPacket(p, { sequence: 6, timestamp: 6000, marker: true }), 0));
  out.push(...track.poll(10_000)); // give up on 4
  assert.deepEqual(
    out.map((a) => a.pts),
    [0, 6000],
  );
  assert.equal(hex(out[1]!.data), hex(annexB([p])));
  assert.equal(track.stats.lost, 1);
  assert.equal(track.stats.fragmentsLost, 1);
});

test('packets out of order are put back before depacketizing; sequence and timestamp wrap', () => {
  const { track } = h264Track([sps, pps], 0);
  const idr = nal([0x65], 3000);
  const parts = fuA(idr, 3);
  const ts0 = 2 ** 32 - 3000;
  const datagrams = [
    rtpPacket(parts[0]!, { sequence: 0xfffe, timestamp: ts0 }),
    rtpPacket(parts[2]!, { sequence: 0, timestamp: ts0, marker: true }),
    rtpPacket(parts[1]!, { sequence: 0xffff, timestamp: ts0 }),
    rtpPacket(nal([0x41], 30), { sequence: 1, timestamp: 0, marker: true }),
    rtpPacket(nal([0x41], 30), { sequence: 2, timestamp: 3000, marker: true }),
  ];
  // The caller may reuse a datagram's buffer once push() returns, even for a packet still held.
  const out = datagrams.flatMap((d) => {
    const packets = track.push(d, 0);
    d.fill(0);
    return packets;
  });
  assert.deepEqual(
    out.map((a) => [a.key, a.pts]),
    [
      [true, ts0],
      [false, ts0 + 3000],
      [false, ts0 + 6000],
    ],
  );
  assert.equal(hex(out[0]!.data), hex(annexB([sps, pps, idr])));
  assert.equal(track.stats.reordered, 1);
  assert.equal(track.stats.lost, 0);
});

test('B-frames: DTS rises, stays at or below PTS; Baseline SPS means DTS = PTS', () => {
  const { track } = h264Track([sps, pps]);
  const order = [0, 3, 1, 2, 6, 4, 5];
  const out = feed(
    track,
    order.map((n, i) => ({ ts: n * 3000, payloads: [nal([i === 0 ? 0x65 : 0x41], 40)] })),
  );
  assert.equal(out.length, order.length);
  for (let i = 0; i < out.length; i++) {
    assert.ok(out[i]!.dts <= out[i]!.pts);
    if (i > 0) assert.ok(out[i]!.dts > out[i - 1]!.dts);
  }
  const baseline = h264Track([nal([0x67, 66, 0, 30], 10), pps]).track;
  const flat = feed(
    baseline,
    [0, 1, 2].map((n, i) => ({ ts: n * 3000, payloads: [nal([i === 0 ? 0x65 : 0x41], 40)] })),
  );
  assert.deepEqual(
    flat.map((a) => a.dts),
    flat.map((a) => a.pts),
  );
});

test('H.265: VPS/SPS/PPS from SDP in front of an IRAP sent as FU; IRAP types are key', () => {
  const vps = nal([32 << 1, 1], 20);
  const sps265 = nal([33 << 1, 1], 30);
  const pps265 = nal([34 << 1, 1], 8);
  const track = new RtpTrack({
    trackId: 3,
    clockRate: 90_000,
    payload: { codec: 'h265', parameterSets: [vps, sps265, pps265], reorderDepth: 0 },
  });
  const cra = nal([21 << 1, 1], 3000);
  const trail = nal([1 << 1, 1], 300);
  const out = feed(track, [
    { ts: 0, payloads: fu265(cra, 3) },
    { ts: 3000, payloads: [trail] },
  ]);
  assert.deepEqual(
    out.map((a) => [a.codec, a.trackId, a.key]),
    [
      ['h265', 3, true],
      ['h265', 3, false],
    ],
  );
  assert.equal(hex(out[0]!.data), hex(annexB([vps, sps265, pps265, cra])));
});

test('other payload types and broken packets are counted as malformed', () => {
  const { track, malformed } = h264Track([sps, pps], 0);
  track.push(rtpPacket(nal([0x65], 10), { sequence: 1, timestamp: 0, payloadType: 97 }), 0);
  track.push(new Uint8Array(5), 0);
  assert.equal(track.stats.malformed, 2);
  assert.match(malformed[0]!, /payload type 97/);
  assert.match(malformed[1]!, /shorter than an RTP header/);
});
