// mux.js as an independent oracle (it is a test dependency only): on the same H.264 + AAC files
// its PES-level video timestamps and per-ADTS-frame audio timestamps equal ours, AU for AU.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTsFile } from '../support/media.js';
import { byTrack, demuxAll } from './demux-helpers.js';

interface MuxStream {
  pipe(next: MuxStream): MuxStream;
  on(event: 'data', listener: (data: MuxEvent) => void): void;
  push(data: unknown): void;
  flush(): void;
}
interface MuxEvent {
  type?: string;
  pts: number;
  dts: number;
}
interface MuxJs {
  mp2t: Record<
    'TransportPacketStream' | 'TransportParseStream' | 'ElementaryStream' | 'TimestampRolloverStream',
    new () => MuxStream
  >;
  codecs: { Adts: new () => MuxStream };
}

const muxjs = createRequire(import.meta.url)('mux.js') as MuxJs;

/** Video PES timestamps and AAC frame timestamps as mux.js sees them (rollover corrected). */
function muxjsTimestamps(bytes: Uint8Array): { video: number[][]; audio: number[][] } {
  const packets = new muxjs.mp2t.TransportPacketStream();
  const rollover = packets
    .pipe(new muxjs.mp2t.TransportParseStream())
    .pipe(new muxjs.mp2t.ElementaryStream())
    .pipe(new muxjs.mp2t.TimestampRolloverStream());
  const adts = new muxjs.codecs.Adts();
  const video: number[][] = [];
  const audio: number[][] = [];
  rollover.on('data', (e) => {
    if (e.type === 'video') video.push([e.pts, e.dts]);
    if (e.type === 'audio') adts.push(e);
  });
  adts.on('data', (f) => audio.push([f.pts, f.dts]));
  for (let pos = 0; pos < bytes.length; pos += 1316) packets.push(bytes.subarray(pos, pos + 1316));
  packets.flush();
  return { video, audio };
}

let dir: string;
const files: Record<string, string> = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-demux-muxjs-'));
  files.bframes = await makeTsFile(dir, { video: 'h264-bframes', audio: 'aac', seconds: 3 });
  files.wrap = await makeTsFile(dir, { video: 'h264', audio: 'aac', seconds: 3, startPts: 95441.5 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mux.js oracle', () => {
  for (const name of ['bframes', 'wrap']) {
    it(`agrees on every video and audio PTS/DTS (${name})`, async () => {
      const bytes = await readFile(files[name]!);
      const theirs = muxjsTimestamps(bytes);
      const ours = byTrack(demuxAll(bytes).packets);
      const video = ours.get(0x100)!.map((p) => [p.pts, p.dts]);
      const audio = ours.get(0x101)!.map((p) => [p.pts, p.dts]);
      assert.ok(theirs.video.length > 50 && theirs.audio.length > 100);
      assert.deepEqual(video, theirs.video);
      assert.deepEqual(audio, theirs.audio);
      if (name === 'bframes')
        assert.ok(
          video.some(([pts, dts]) => pts !== dts),
          'B-frames reorder',
        );
      if (name === 'wrap') assert.ok(video.at(-1)![1]! > 2 ** 33, 'past the wrap');
    });
  }
});
