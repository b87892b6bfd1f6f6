// tracksRevision lets a reader poll for track changes after every push without copying `tracks`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTsDemuxer } from '../../src/mpegts/index.js';
import { patSection, pmtSection, TsWriter } from './ts-builder.js';

const PMT = 0x1000;
const NULL_PID = 0x1fff;
const H264 = { streamType: 0x1b, pid: 0x100 };
const AAC = { streamType: 0x0f, pid: 0x101 };

const psi = (streams: { streamType: number; pid: number }[], version = 0) =>
  new TsWriter()
    .section(0, patSection([{ program: 1, pmtPid: PMT }]))
    .section(PMT, pmtSection(1, H264.pid, streams, version))
    .payload(NULL_PID, new Uint8Array(184), false) // sync needs three packets in a row
    .bytes();

test('tracksRevision changes exactly when the tracks do, and never repeats across resets', () => {
  const demuxer = createTsDemuxer();
  const seen = [demuxer.tracksRevision];
  demuxer.push(psi([H264]));
  assert.equal(demuxer.tracks.length, 1);
  assert.notEqual(demuxer.tracksRevision, seen.at(-1), 'a track appeared');
  seen.push(demuxer.tracksRevision);

  demuxer.push(psi([H264]));
  assert.equal(demuxer.tracksRevision, seen.at(-1), 'the same PSI again changes nothing');

  demuxer.push(psi([H264, AAC], 1));
  assert.equal(demuxer.tracks.length, 2);
  assert.notEqual(demuxer.tracksRevision, seen.at(-1), 'a new PMT version added a track');
  seen.push(demuxer.tracksRevision);

  demuxer.reset();
  demuxer.push(psi([H264]));
  assert.ok(!seen.includes(demuxer.tracksRevision), `revision ${demuxer.tracksRevision} was seen before`);
});
