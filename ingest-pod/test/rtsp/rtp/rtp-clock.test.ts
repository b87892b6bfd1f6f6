import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignmentOffsets, parseSenderReports, RtpClock } from '../../../src/rtsp/rtp/rtp-clock.js';

test('90 kHz clocks map one to one and keep counting past the 32-bit wrap', () => {
  const c = new RtpClock(90_000);
  const start = 2 ** 32 - 3000;
  assert.equal(c.ticks(start), start);
  assert.equal(c.ticks(start + 3000 - 2 ** 32), start + 3000);
  assert.equal(c.ticks(3000), start + 6000);
  // a B-frame steps back across the wrap
  assert.equal(c.ticks(2 ** 32 - 1000), start + 2000);
  assert.equal(c.peek(6000), start + 9000);
  assert.equal(c.ticks(6000), start + 9000);
});

test('other clock rates scale to 90 kHz', () => {
  const c = new RtpClock(48_000);
  assert.equal(c.ticks(48_000), 90_000);
  assert.equal(c.ticks(48_000 + 1024), 90_000 + 1920);
  const c44 = new RtpClock(44_100);
  assert.equal(c44.ticks(0), 0);
  assert.equal(c44.ticks(1024), Math.round((1024 * 90_000) / 44_100));
  assert.throws(() => new RtpClock(0), /clock rate 0/);
});

function senderReport(ssrc: number, ntpSeconds: number, fraction: number, rtp: number): Uint8Array {
  const d = new Uint8Array(28);
  const v = new DataView(d.buffer);
  d[0] = 0x80;
  d[1] = 200;
  v.setUint16(2, 6);
  v.setUint32(4, ssrc);
  v.setUint32(8, ntpSeconds);
  v.setUint32(12, fraction);
  v.setUint32(16, rtp);
  return d;
}

test('sender reports are read from compound RTCP packets; other packets are skipped', () => {
  const receiverReport = Uint8Array.of(0x80, 201, 0, 1, 0, 0, 0, 7);
  const sdes = Uint8Array.of(0x81, 202, 0, 2, 0, 0, 0, 7, 0, 0, 0, 0);
  const sr = senderReport(0xdeadbeef, 2_208_988_800 + 1000, 2 ** 31, 0xfffffff0);
  const reports = parseSenderReports(Buffer.concat([receiverReport, sr, sdes]));
  assert.deepEqual(reports, [{ ssrc: 0xdeadbeef, wallclockSeconds: 1000.5, rtpTimestamp: 0xfffffff0 }]);
  assert.deepEqual(parseSenderReports(sr.subarray(0, 20)), []);
});

test('alignment offsets put equal wallclock instants on equal ticks', () => {
  // video: ticks 1_000_000 at wallclock 50 s; audio: ticks 5_000 at wallclock 50.1 s
  const offsets = alignmentOffsets([
    { trackId: 0, wallclockSeconds: 50, ticks: 1_000_000 },
    { trackId: 1, wallclockSeconds: 50.1, ticks: 5_000 },
  ]);
  const video = 1_000_000 + offsets.get(0)!;
  const audio = 5_000 + offsets.get(1)!;
  assert.equal(audio - video, 9_000);
  assert.ok(offsets.get(0)! >= 0 && offsets.get(1)! >= 0);
  assert.ok(offsets.get(0) === 0 || offsets.get(1) === 0);
});
