// Program and PID filters on an MPTS made by ffmpeg (three programs, H.264 + AAC each).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ffprobeCounts, makeTsFile, type ProbedStream } from '../support/media.js';
import { byTrack, demuxAll } from './demux-helpers.js';

let dir: string;
let bytes: Buffer;
let probed: ProbedStream[];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-demux-mpts-'));
  const file = await makeTsFile(dir, { programs: 3, seconds: 2 });
  bytes = await readFile(file);
  probed = await ffprobeCounts(file);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function framesByPid(streams: ProbedStream[]): Map<number, number> {
  return new Map(streams.map((s) => [s.pid!, s.frames]));
}

function countsOf(packets: ReturnType<typeof demuxAll>['packets']): Map<number, number> {
  return new Map([...byTrack(packets)].map(([pid, list]) => [pid, list.length]));
}

describe('MPTS', () => {
  it('is what ffprobe says it is: three programs of two streams', () => {
    assert.deepEqual(
      probed.map((s) => [s.program, s.pid, s.codec]),
      [
        [1, 0x100, 'h264'],
        [1, 0x101, 'aac'],
        [2, 0x102, 'h264'],
        [2, 0x103, 'aac'],
        [3, 0x104, 'h264'],
        [3, 0x105, 'aac'],
      ],
    );
  });

  it('without a filter keeps every program', () => {
    const { packets, demuxer } = demuxAll(bytes);
    assert.deepEqual(countsOf(packets), framesByPid(probed));
    assert.deepEqual(
      demuxer.programs.map((p) => [p.program, p.pmtPid, p.pids]),
      [
        [1, 0x1000, [0x100, 0x101]],
        [2, 0x1001, [0x102, 0x103]],
        [3, 0x1002, [0x104, 0x105]],
      ],
    );
    assert.equal(demuxer.tracks.length, 6);
  });

  for (const program of [1, 2, 3]) {
    it(`program: ${program} keeps that program's PIDs only, frame for frame`, () => {
      const { packets, demuxer, events } = demuxAll(bytes, { program }, 1316);
      const wanted = probed.filter((s) => s.program === program);
      assert.deepEqual(countsOf(packets), framesByPid(wanted));
      assert.deepEqual(
        demuxer.tracks.map((t) => t.trackId),
        wanted.map((s) => s.pid),
      );
      assert.deepEqual(
        demuxer.programs.map((p) => p.program),
        [program],
      );
      assert.deepEqual(events, []);
    });
  }

  it('pids: keeps an allow-list across programs (PAT/PMT need not be listed)', () => {
    const { packets, demuxer } = demuxAll(bytes, { pids: [0x101, 0x104] });
    assert.deepEqual(
      countsOf(packets),
      framesByPid(probed.filter((s) => s.pid === 0x101 || s.pid === 0x104)),
    );
    assert.deepEqual(
      demuxer.tracks.map((t) => [t.trackId, t.codec]),
      [
        [0x101, 'aac'],
        [0x104, 'h264'],
      ],
    );
  });

  it('program then pids: a PID of another program yields nothing', () => {
    const { packets } = demuxAll(bytes, { program: 2, pids: [0x102, 0x104, 0x105] });
    assert.deepEqual(countsOf(packets), framesByPid(probed.filter((s) => s.pid === 0x102)));
  });

  it('a program the PAT does not list is reported once, and nothing comes out', () => {
    const { packets, events, demuxer } = demuxAll(bytes, { program: 7 });
    assert.equal(packets.length, 0);
    assert.deepEqual(events, [{ type: 'program-missing', program: 7, available: [1, 2, 3] }]);
    assert.deepEqual(demuxer.tracks, []);
  });
});
