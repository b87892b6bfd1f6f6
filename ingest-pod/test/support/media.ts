// Test media made by ffmpeg, and what ffprobe says about it. Shared by the demuxer and reader tests.
//
//   const file = await makeTsFile(dir, { video: 'h264-bframes', audio: 'aac', seconds: 3 });
//   const streams = await ffprobeCounts(file); // [{ index, pid, program, codec, frames, keyframes }]
//   const packets = await ffprobePackets(file); // Map<stream index, [{ pts, dts, key }]>
//   const decoded = await ffprobeDecodedFrames(dump); // frames per stream after a real decode
//
// Sources are lavfi test patterns (testsrc2/testsrc/smptebars + sine), encoded small (320x240,
// 25 fps, one keyframe per second) so a fixture takes well under a second to make.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type VideoOption = 'h264' | 'h264-bframes' | 'h265' | 'mpeg2video';
export type AudioOption = 'aac' | 'mp2' | 'mp3' | 'ac3' | 'eac3';

export interface TsFileOptions {
  /** Default 'h264' (no B-frames); null for audio only. */
  video?: VideoOption | null;
  /** Default 'aac'; null for video only. */
  audio?: AudioOption | null;
  /** Duration in seconds, default 2. */
  seconds?: number;
  /** Default '320x240'. */
  size?: string;
  /** Default 25. */
  fps?: number;
  /** Keyframe interval in frames, default `fps` (one keyframe per second). */
  gop?: number;
  /** Number of programs; > 1 makes an MPTS whose program_numbers are 1..N, each with its own
   * picture and tone but the same codecs. Elementary PIDs are 0x100, 0x101, … in program order. */
  programs?: number;
  /** Seconds added to every timestamp (`-output_ts_offset`); 95441.5 makes PTS cross 2^33 at ~0.8 s. */
  startPts?: number;
  /** Extra ffmpeg output options, placed just before the output file. */
  ffmpegArgs?: readonly string[];
  /** File name inside `dir`; default derived from the options. */
  name?: string;
}

const PATTERNS = ['testsrc2', 'testsrc', 'smptebars', 'rgbtestsrc'];

/** ffmpeg inputs of endless test media: a 320x240 25 fps pattern and a 1 kHz tone. */
export const TEST_PATTERN_INPUTS = [
  ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'],
  ...['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000'],
] as const;

/**
 * ffmpeg arguments of a live source, up to the output format: the test pattern and tone in real
 * time, encoded to H.264 (one keyframe a second) and AAC.
 */
export const LIVE_H264_AAC = [
  '-re',
  ...TEST_PATTERN_INPUTS,
  ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p'],
  ...['-c:a', 'aac'],
] as const;

function videoArgs(video: VideoOption, gop: number): string[] {
  const keyframes = ['-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0'];
  switch (video) {
    case 'h264':
      return [
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-pix_fmt',
        'yuv420p',
        ...keyframes,
      ];
    case 'h264-bframes':
      return ['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2', '-pix_fmt', 'yuv420p', ...keyframes];
    case 'h265':
      return [
        '-c:v',
        'libx265',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-x265-params',
        `log-level=error:keyint=${gop}:min-keyint=${gop}:scenecut=0`,
      ];
    case 'mpeg2video':
      return ['-c:v', 'mpeg2video', '-b:v', '1M', '-g', String(gop)];
  }
}

const AUDIO_ARGS: Record<AudioOption, string[]> = {
  aac: ['-c:a', 'aac', '-b:a', '96k'],
  mp2: ['-c:a', 'mp2', '-b:a', '128k'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '128k'],
  ac3: ['-c:a', 'ac3', '-b:a', '128k'],
  eac3: ['-c:a', 'eac3', '-b:a', '128k'],
};

/** Encodes a test MPEG-TS file into `dir` and returns its path. */
export async function makeTsFile(dir: string, options: TsFileOptions = {}): Promise<string> {
  const video = options.video === undefined ? 'h264' : options.video;
  const audio = options.audio === undefined ? 'aac' : options.audio;
  if (video === null && audio === null) throw new Error('makeTsFile: need video, audio or both');
  const seconds = options.seconds ?? 2;
  const size = options.size ?? '320x240';
  const fps = options.fps ?? 25;
  const programs = options.programs ?? 1;
  const name =
    options.name ??
    `${video ?? 'novideo'}-${audio ?? 'noaudio'}-${seconds}s-p${programs}${options.startPts ? `-o${options.startPts}` : ''}.ts`;
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  const maps: string[] = [];
  const programArgs: string[] = [];
  let input = 0;
  let stream = 0;
  for (let p = 0; p < programs; p++) {
    const members: number[] = [];
    if (video) {
      args.push('-f', 'lavfi', '-i', `${PATTERNS[p % PATTERNS.length]}=size=${size}:rate=${fps}`);
      maps.push('-map', `${input++}:v`);
      members.push(stream++);
    }
    if (audio) {
      args.push('-f', 'lavfi', '-i', `sine=frequency=${500 + 250 * p}:sample_rate=48000`);
      maps.push('-map', `${input++}:a`);
      members.push(stream++);
    }
    programArgs.push('-program', [`program_num=${p + 1}`, ...members.map((s) => `st=${s}`)].join(':'));
  }
  args.push('-t', String(seconds), ...maps);
  if (video) args.push(...videoArgs(video, options.gop ?? fps));
  if (audio) args.push(...AUDIO_ARGS[audio], '-ac', '2', '-ar', '48000');
  if (programs > 1) args.push(...programArgs);
  if (options.startPts !== undefined) args.push('-output_ts_offset', String(options.startPts));
  const file = join(dir, name);
  args.push(...(options.ffmpegArgs ?? []), '-f', 'mpegts', file);
  await run('ffmpeg', args);
  return file;
}

/** One stream as ffprobe sees it. `pid` and `program` are set for MPEG-TS input only. */
export interface ProbedStream {
  index: number;
  pid?: number;
  program?: number;
  /** ffprobe's codec_name: h264, hevc, aac, mp2, mp3, ac3, eac3, mpeg2video, … */
  codec: string;
  /** Packets ffprobe read (after its parsers split them): access units for video, frames for audio. */
  frames: number;
  keyframes: number;
}

/** One packet as ffprobe sees it (90 kHz ticks for MPEG-TS; ffprobe unwraps relative to the first). */
export interface ProbedPacket {
  pts?: number;
  dts?: number;
  key: boolean;
}

interface FfprobeJson {
  streams?: { index: number; codec_name?: string; id?: string }[];
  programs?: { program_num: number; streams?: { index: number }[] }[];
  packets?: { stream_index: number; pts?: number; dts?: number; flags?: string }[];
}

async function ffprobe(file: string, entries: string): Promise<FfprobeJson> {
  const { stdout } = await run(
    'ffprobe',
    ['-hide_banner', '-loglevel', 'error', '-of', 'json', '-show_entries', entries, file],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as FfprobeJson;
}

/** Every packet of every stream, by stream index, in file order. */
export async function ffprobePackets(file: string): Promise<Map<number, ProbedPacket[]>> {
  const json = await ffprobe(file, 'packet=stream_index,pts,dts,flags');
  const byStream = new Map<number, ProbedPacket[]>();
  for (const p of json.packets ?? []) {
    const packet: ProbedPacket = { pts: p.pts, dts: p.dts, key: (p.flags ?? '').includes('K') };
    const list = byStream.get(p.stream_index);
    if (list) list.push(packet);
    else byStream.set(p.stream_index, [packet]);
  }
  return byStream;
}

/** Frames ffprobe actually decodes, per stream index (`-count_frames`): proof a dump is playable. */
export async function ffprobeDecodedFrames(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-count_frames',
    '-of',
    'json',
    '-show_entries',
    'stream=index,nb_read_frames',
    file,
  ]);
  const json = JSON.parse(stdout) as { streams?: { nb_read_frames?: string }[] };
  return (json.streams ?? []).map((s) => Number(s.nb_read_frames ?? 0));
}

/** Per-stream frame and keyframe counts, the yardstick for demuxer and reader tests. */
export async function ffprobeCounts(file: string): Promise<ProbedStream[]> {
  const info = await ffprobe(file, 'stream=index,codec_name,id:program=program_num:program_stream=index');
  const packets = await ffprobePackets(file);
  const programOf = new Map<number, number>();
  for (const program of info.programs ?? []) {
    for (const s of program.streams ?? []) programOf.set(s.index, program.program_num);
  }
  return (info.streams ?? []).map((s) => {
    const list = packets.get(s.index) ?? [];
    const probed: ProbedStream = {
      index: s.index,
      codec: s.codec_name ?? 'unknown',
      frames: list.length,
      keyframes: list.filter((p) => p.key).length,
    };
    if (s.id !== undefined) probed.pid = Number.parseInt(s.id, 16);
    const program = programOf.get(s.index);
    if (program !== undefined) probed.program = program;
    return probed;
  });
}
