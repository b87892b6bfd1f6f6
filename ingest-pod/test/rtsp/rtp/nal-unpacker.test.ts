import assert from 'node:assert/strict';
import { test } from 'node:test';
import { H264_PAYLOAD, H265_PAYLOAD, NalUnpacker } from '../../../src/rtsp/rtp/nal-unpacker.js';
import { aggregate, bytes, fu265, fuA, nal } from './rtp-builder.js';

const hex = (units: Uint8Array[]) => units.map((u) => Buffer.from(u).toString('hex'));

test('H.264: a single NAL unit packet is the unit itself', () => {
  const u = new NalUnpacker(H264_PAYLOAD);
  const idr = nal([0x65], 50);
  assert.deepEqual(hex(u.push(idr, true).units), hex([idr]));
});

test('H.264: STAP-A gives each aggregated unit', () => {
  const u = new NalUnpacker(H264_PAYLOAD);
  const sps = nal([0x67, 100, 0, 31], 12);
  const pps = nal([0x68], 4);
  const r = u.push(aggregate([0x78], [sps, pps]), true);
  assert.deepEqual(hex(r.units), hex([sps, pps]));
  const broken = aggregate([0x78], [sps]).subarray(0, 8);
  assert.match(u.push(broken, true).malformed ?? '', /past the payload/);
});

test('H.264: FU-A fragments join into the original unit, NAL header rebuilt', () => {
  const u = new NalUnpacker(H264_PAYLOAD);
  const idr = nal([0x65], 3000);
  const parts = fuA(idr, 3);
  assert.deepEqual(hex(u.push(parts[0]!, true).units), hex([]));
  assert.deepEqual(hex(u.push(parts[1]!, true).units), hex([]));
  assert.deepEqual(hex(u.push(parts[2]!, true).units), hex([idr]));
});

test('H.264: a fragment lost mid-unit drops the unit and says so', () => {
  const u = new NalUnpacker(H264_PAYLOAD);
  const parts = fuA(nal([0x41], 3000), 3);
  u.push(parts[0]!, true);
  const afterGap = u.push(parts[2]!, false);
  assert.deepEqual(hex(afterGap.units), hex([]));
  assert.equal(afterGap.fragmentLost, true);
  // a new start with no end before it also drops the unfinished one
  u.push(parts[0]!, true);
  const restart = u.push(fuA(nal([0x41], 100), 1)[0]!, true);
  assert.equal(restart.fragmentLost, true);
  assert.equal(restart.units.length, 1);
  // a single unit after an unfinished fragment: the fragment is lost, the unit kept
  u.push(parts[0]!, true);
  const single = u.push(nal([0x41], 20), true);
  assert.equal(single.fragmentLost, true);
  assert.equal(single.units.length, 1);
});

test('H.264: packetization modes we do not take are reported', () => {
  const u = new NalUnpacker(H264_PAYLOAD);
  assert.match(u.push(bytes(0x19, 0, 0, 0), true).malformed ?? '', /type 25 is not supported/);
  assert.match(u.push(bytes(0x65), true).malformed ?? '', /payload of 1 bytes/);
});

test('H.265: single, AP and FU', () => {
  const u = new NalUnpacker(H265_PAYLOAD);
  const vps = nal([32 << 1, 1], 20);
  const sps = nal([33 << 1, 1], 30);
  const pps = nal([34 << 1, 1], 8);
  const idr = nal([19 << 1, 1], 4000);
  assert.deepEqual(hex(u.push(aggregate([48 << 1, 1], [vps, sps, pps]), true).units), hex([vps, sps, pps]));
  const parts = fu265(idr, 4);
  for (const p of parts.slice(0, 3)) assert.deepEqual(hex(u.push(p, true).units), hex([]));
  assert.deepEqual(hex(u.push(parts[3]!, true).units), hex([idr]));
  const trail = nal([1 << 1, 1], 40);
  assert.deepEqual(hex(u.push(trail, true).units), hex([trail]));
  u.push(parts[0]!, true);
  const lost = u.push(parts[2]!, false);
  assert.equal(lost.fragmentLost, true);
  assert.deepEqual(hex(lost.units), hex([]));
  assert.match(u.push(bytes(50 << 1, 1, 0), true).malformed ?? '', /type 50 is not supported/);
});
