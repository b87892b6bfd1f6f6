// The muxer against real peers: access units of ffmpeg-made files (read by our demuxer) muxed
// again, then read by ffprobe (same packets, timestamps and keyframes), decoded by ffmpeg without
// a single error, and read back by our demuxer (same access units).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type AVPacket, VIDEO_CODECS } from '../../src/avpacket.js';
import { crc32Mpeg } from '../../src/mpegts/crc32.js';
import type { MuxTrack, TsMuxer } from '../../src/mpegts-mux/index.js';
import { byTrack, demuxAll, fingerprint } from '../mpegts/demux-helpers.js';
import {
  type AudioOption,
  ffprobeCounts,
  ffprobePackets,
  makeTsFile,
  type ProbedPacket,
  type ProbedStream,
  type VideoOption,
} from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';
import { muxAll } from './mux-helpers.js';

const run = promisify(execFile);

interface Case {
  video: VideoOption | null;
  audio: AudioOption | null;
  /** Add two SCTE-35 cues on a track of their own. */
  cues?: boolean;
}

const CASES: Case[] = [
  { video: 'h264-bframes', audio: 'aac', cues: true },
  { video: 'h265', audio: 'ac3' },
  { video: 'mpeg2video', audio: 'mp2' },
  { video: 'h264', audio: 'eac3' },
  { video: null, audio: 'mp3' },
];

const CUE_TRACK = 0x1f0;

/** A splice_null splice_info_section with its CRC. */
function spliceNull(): Uint8Array {
  const s = Buffer.from([0xfc, 0x30, 0x11, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0]);
  s.writeUInt32BE(crc32Mpeg(s, 0, s.length - 4), s.length - 4);
  return s;
}

/** The file's AUs with two cues, each right after a video AU and at its PTS. */
function withCues(packets: readonly AVPacket[]): AVPacket[] {
  const out: AVPacket[] = [];
  let videoSeen = 0;
  for (const p of packets) {
    out.push(p);
    if (VIDEO_CODECS.has(p.codec) && (++videoSeen === 10 || videoSeen === 30)) {
      out.push({
        codec: 'scte35',
        trackId: CUE_TRACK,
        pts: p.pts,
        dts: p.pts,
        key: false,
        data: spliceNull(),
      });
    }
  }
  return out;
}

interface Source {
  tracks: MuxTrack[];
  packets: AVPacket[];
}

let dir: TempDir;
const sources = new Map<Case, Source>();

before(async () => {
  dir = await makeTempDir('tributary-tsmux-');
  for (const c of CASES) {
    const file = await makeTsFile(dir.path, { video: c.video, audio: c.audio, seconds: 2 });
    const { packets, demuxer } = demuxAll(await readFile(file));
    const tracks: MuxTrack[] = demuxer.tracks.map((t) => ({ trackId: t.trackId, codec: t.codec }));
    if (c.cues) tracks.push({ trackId: CUE_TRACK, codec: 'scte35' });
    sources.set(c, { tracks, packets: c.cues ? withCues(packets) : packets });
  }
});

after(() => dir.remove());

/** ffmpeg decodes every stream of `file` and says nothing at error level. */
async function assertDecodes(file: string): Promise<void> {
  const { stdout, stderr } = await run('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-xerror',
    '-i',
    file,
    '-f',
    'null',
    '-',
  ]);
  assert.equal(stdout + stderr, '', `ffmpeg decoding ${file}`);
}

/** ffprobe's streams and packets of `file`, by our track id (through the muxer's PID map). */
async function probeByTrack(
  file: string,
  muxer: TsMuxer,
): Promise<Map<number, { stream: ProbedStream; packets: ProbedPacket[] }>> {
  const streams = await ffprobeCounts(file);
  const packets = await ffprobePackets(file);
  const trackOfPid = new Map([...muxer.pids].map(([trackId, pid]) => [pid, trackId]));
  const out = new Map<number, { stream: ProbedStream; packets: ProbedPacket[] }>();
  for (const s of streams) {
    const trackId = trackOfPid.get(s.pid!);
    assert.ok(trackId !== undefined, `ffprobe stream on unexpected PID ${s.pid}`);
    out.set(trackId, { stream: s, packets: packets.get(s.index) ?? [] });
  }
  return out;
}

/** ffprobe sees the AUs: count, PTS/DTS and keyframes per track (cues: count). */
async function assertProbeMatches(file: string, muxer: TsMuxer, packets: readonly AVPacket[]): Promise<void> {
  const probed = await probeByTrack(file, muxer);
  const ours = byTrack(packets);
  assert.deepEqual([...probed.keys()].sort(), [...ours.keys()].sort(), 'every track is a stream');
  for (const [trackId, list] of ours) {
    const { stream, packets: theirs } = probed.get(trackId)!;
    const codec = list[0]!.codec;
    assert.equal(theirs.length, list.length, `${codec} packet count`);
    if (codec === 'scte35') {
      assert.equal(stream.codec, 'scte_35');
      continue;
    }
    assert.deepEqual(
      theirs.map((p) => [p.pts, p.dts]),
      list.map((p) => [p.pts, p.dts]),
      `${codec} timestamps`,
    );
    // Audio frames are all keyframes to ffprobe; our readers flag none.
    const keys = VIDEO_CODECS.has(codec) ? list.map((p) => p.key) : list.map(() => true);
    assert.deepEqual(
      theirs.map((p) => p.key),
      keys,
      `${codec} keyframes`,
    );
  }
}

function assertSameAccessUnits(muxed: readonly AVPacket[], input: readonly AVPacket[], muxer: TsMuxer): void {
  const out = byTrack(muxed);
  for (const [trackId, list] of byTrack(input)) {
    const pid = muxer.pids.get(trackId)!;
    const back = (out.get(pid) ?? []).map((p) => ({ ...p, trackId }));
    assert.equal(back.length, list.length, `${list[0]!.codec} access units`);
    assert.deepEqual(fingerprint(back), fingerprint(list), `${list[0]!.codec} access units`);
  }
  assert.equal(out.size, byTrack(input).size);
}

for (const c of CASES) {
  const name = `${c.video ?? 'no video'} + ${c.audio ?? 'no audio'}${c.cues ? ' + SCTE-35' : ''}`;
  describe(`mux ${name}`, () => {
    let file: string;
    let muxer: TsMuxer;

    before(async () => {
      const s = sources.get(c)!;
      const muxed = muxAll(s.tracks, s.packets);
      muxer = muxed.muxer;
      file = join(dir.path, `muxed-${c.video}-${c.audio}.ts`);
      await writeFile(file, muxed.bytes);
    });

    it('ffprobe reads every access unit with its PTS, DTS and key flag', async () => {
      const s = sources.get(c)!;
      assert.ok(s.packets.length > 40);
      await assertProbeMatches(file, muxer, s.packets);
    });

    it('ffmpeg decodes it without an error', async () => {
      await assertDecodes(file);
    });

    it('our demuxer reads back the same access units', async () => {
      const s = sources.get(c)!;
      const { packets, events } = demuxAll(await readFile(file));
      assert.deepEqual(events, []);
      assertSameAccessUnits(packets, s.packets, muxer);
    });
  });
}

describe('mux two sessions (timestamps jump back, discontinuity: true)', () => {
  let file: string;
  let packets: AVPacket[];
  let muxer: TsMuxer;
  const shift = (list: readonly AVPacket[], by: number) =>
    list.map((p) => ({ ...p, pts: p.pts + by, dts: p.dts + by }));

  before(async () => {
    const s = sources.get(CASES[0]!)!;
    const first = shift(s.packets, 10 * 90_000);
    const second = shift(s.packets, 5 * 90_000);
    packets = [...first, ...second];
    const muxed = muxAll(s.tracks, packets, new Set([first.length]));
    muxer = muxed.muxer;
    file = join(dir.path, 'two-sessions.ts');
    await writeFile(file, muxed.bytes);
  });

  it('ffprobe still reads every access unit with its timestamps', async () => {
    await assertProbeMatches(file, muxer, packets);
  });

  it('our demuxer sees the discontinuity on each PID and reads back the same access units', async () => {
    const { packets: back, events } = demuxAll(await readFile(file));
    const pids = new Set(events.filter((e) => e.type === 'discontinuity').map((e) => e.pid));
    assert.deepEqual([...pids].sort(), [0, 0x1000, ...muxer.pids.values()].sort());
    assert.equal(events.length, pids.size, 'nothing but one discontinuity per PID');
    assertSameAccessUnits(back, packets, muxer);
  });
});

describe('mux Opus', () => {
  let file: string;
  let packets: AVPacket[];
  let muxer: TsMuxer;

  before(async () => {
    const ogg = join(dir.path, 'tone.opus');
    await run('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000', '-t', '1'],
      ...['-c:a', 'libopus', '-b:a', '64k', '-ac', '2', ogg],
    ]);
    packets = (await ffprobePacketData(ogg)).map((data, i) => ({
      codec: 'opus' as const,
      trackId: 1,
      pts: 126_000 + i * 1800, // 20 ms frames, libopus' default
      dts: 126_000 + i * 1800,
      key: false,
      data,
    }));
    const muxed = muxAll([{ trackId: 1, codec: 'opus', channels: 2 }], packets);
    muxer = muxed.muxer;
    file = join(dir.path, 'opus.ts');
    await writeFile(file, muxed.bytes);
  });

  it('ffprobe reads every packet, without the control header, at its PTS', async () => {
    assert.ok(packets.length >= 50);
    await assertProbeMatches(file, muxer, packets);
    const back = await ffprobePacketData(file);
    assert.deepEqual(
      back.map((d) => Buffer.from(d).toString('hex')),
      packets.map((p) => Buffer.from(p.data).toString('hex')),
    );
  });

  it('ffmpeg decodes it without an error', async () => {
    await assertDecodes(file);
  });
});

/** Every packet's bytes, from `ffprobe -show_data` (its hex dump). */
async function ffprobePacketData(file: string): Promise<Uint8Array[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-hide_banner', '-loglevel', 'error', '-of', 'json', '-show_entries', 'packet=data', '-show_data', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as { packets?: { data?: string }[] };
  return (json.packets ?? []).map((p) => {
    const hex = (p.data ?? '')
      .split('\n')
      .map((line) => line.slice(10, 49).replaceAll(' ', ''))
      .join('');
    return Buffer.from(hex, 'hex');
  });
}
