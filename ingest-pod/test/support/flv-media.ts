// FLV and raw AV1 test media made by ffmpeg, and the ffmpeg/ffprobe checks the FLV tests use.
//
//   const flv = await makeFlvFile(dir, { video: 'h264-bframes', audio: 'aac', seconds: 3 });
//   const errors = await ffmpegDecodeErrors(dump); // '' when ffmpeg decodes it cleanly
//   const obu = await makeAv1ObuFile(dir, { seconds: 2 });
//   const units = await ffprobePacketSpans(obu); // [{ pos, size, key }] per temporal unit
//
// Same sources as media.ts (lavfi testsrc2 + sine), small and fast to encode.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FlvFileOptions {
  /** Default 'h264-bframes' (two B-frames: composition times); null for audio only. */
  video?: 'h264' | 'h264-bframes' | null;
  /** Default 'aac'; null for video only. */
  audio?: 'aac' | 'mp3' | null;
  /** Default 3. */
  seconds?: number;
  /** Default '320x240'. */
  size?: string;
  /** Default 25; the keyframe interval is one second. */
  fps?: number;
  name?: string;
}

/** Encodes an FLV file into `dir` (ffmpeg's flv muxer: legacy AVC/AAC/MP3 tags) and returns its path. */
export async function makeFlvFile(dir: string, options: FlvFileOptions = {}): Promise<string> {
  const video = options.video === undefined ? 'h264-bframes' : options.video;
  const audio = options.audio === undefined ? 'aac' : options.audio;
  const seconds = options.seconds ?? 3;
  const fps = options.fps ?? 25;
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  if (video) args.push('-f', 'lavfi', '-i', `testsrc2=size=${options.size ?? '320x240'}:rate=${fps}`);
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000');
  args.push('-t', String(seconds));
  if (video) {
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p');
    args.push('-g', String(fps), '-keyint_min', String(fps), '-sc_threshold', '0');
    args.push(...(video === 'h264-bframes' ? ['-bf', '2'] : ['-tune', 'zerolatency']));
  }
  if (audio === 'aac') args.push('-c:a', 'aac', '-b:a', '96k', '-ac', '2');
  if (audio === 'mp3') args.push('-c:a', 'libmp3lame', '-b:a', '128k', '-ac', '2', '-ar', '44100');
  const file = join(dir, options.name ?? `${video ?? 'novideo'}-${audio ?? 'noaudio'}-${seconds}s.flv`);
  await run('ffmpeg', [...args, '-f', 'flv', file]);
  return file;
}

/** AV1 (libaom, realtime) in the low-overhead OBU format, one temporal unit per frame. */
export async function makeAv1ObuFile(dir: string, options: { seconds?: number; size?: string } = {}) {
  const file = join(dir, 'av1.obu');
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...[
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${options.size ?? '160x120'}:rate=25`,
      '-t',
      String(options.seconds ?? 2),
    ],
    ...['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-g', '25', '-f', 'obu', file],
  ]);
  return file;
}

/** Where each packet of stream 0 sits in the file (raw formats: the parser's access units). */
export async function ffprobePacketSpans(
  file: string,
): Promise<{ pos: number; size: number; key: boolean }[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-hide_banner', '-loglevel', 'error', '-of', 'json', '-show_entries', 'packet=pos,size,flags', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as { packets?: { pos?: string; size?: string; flags?: string }[] };
  return (json.packets ?? []).map((p) => ({
    pos: Number(p.pos),
    size: Number(p.size),
    key: (p.flags ?? '').includes('K'),
  }));
}

/** What `ffmpeg -v error` prints while decoding the whole file ('' = decoded cleanly). */
export async function ffmpegDecodeErrors(file: string, format?: string): Promise<string> {
  const input = format ? ['-f', format, '-i', file] : ['-i', file];
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-v', 'error', ...input, '-f', 'null', '-']);
  return stderr.trim();
}
