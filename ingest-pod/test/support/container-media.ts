// MP4/MOV/FLV test files made by ffmpeg, and ffprobe's packets of them in 90 kHz ticks.
//
//   const file = await makeContainerFile(dir, { container: 'mp4', video: 'h264-bframes' });
//   const streams = await ffprobeTimeline(file); // [{ codec, packets: [{ dts, pts, key, size }] }]
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ContainerFileOptions {
  container: 'mp4' | 'mov' | 'm4v' | 'flv';
  /** Default 'h264-bframes' (libx264, two B-frames). */
  video?: 'h264-bframes' | 'h265-bframes';
  /** moov in front (`-movflags +faststart`); ffmpeg's default puts it at the end. */
  faststart?: boolean;
  /** Extra streams that are not read: an Opus track and a mov_text subtitle track (MP4 only). */
  unsupportedTracks?: boolean;
  seconds?: number;
  name?: string;
}

const VIDEO_ARGS = {
  'h264-bframes': ['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2', '-pix_fmt', 'yuv420p'],
  'h265-bframes': [
    ...['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-tag:v', 'hvc1'],
    ...['-x265-params', 'log-level=error:keyint=25:min-keyint=25:scenecut=0:bframes=2'],
  ],
};

/** Encodes 320x240 25 fps video (a keyframe a second) and 48 kHz stereo AAC into `dir`. */
export async function makeContainerFile(dir: string, options: ContainerFileOptions): Promise<string> {
  const video = options.video ?? 'h264-bframes';
  const seconds = options.seconds ?? 2;
  const name = options.name ?? `${video}${options.faststart ? '-faststart' : ''}.${options.container}`;
  const file = join(dir, name);
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  args.push('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25');
  args.push('-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000');
  const maps = ['-map', '0:v', '-map', '1:a'];
  if (options.unsupportedTracks) {
    const srt = join(dir, 'subtitles.srt');
    await writeFile(
      srt,
      '1\n00:00:00,000 --> 00:00:01,000\nhello\n\n2\n00:00:01,000 --> 00:00:02,000\nworld\n',
    );
    args.push('-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=48000', '-i', srt);
    maps.push('-map', '2:a', '-map', '3:s');
  }
  args.push('-t', String(seconds), ...maps, ...VIDEO_ARGS[video]);
  args.push('-g', '25', '-keyint_min', '25', '-sc_threshold', '0');
  args.push('-c:a:0', 'aac', '-b:a:0', '96k', '-ac', '2');
  if (options.unsupportedTracks) args.push('-c:a:1', 'libopus', '-c:s', 'mov_text');
  if (options.faststart) args.push('-movflags', '+faststart');
  args.push('-f', options.container === 'm4v' ? 'mp4' : options.container, file);
  await run('ffmpeg', args);
  return file;
}

export interface ProbedTimedPacket {
  /** 90 kHz ticks, rounded from the stream's time base. */
  dts: number;
  pts: number;
  key: boolean;
  size: number;
}

export interface ProbedTimeline {
  index: number;
  codec: string;
  packets: ProbedTimedPacket[];
}

/** Every stream's packets as `ffprobe -show_packets` reports them, converted to 90 kHz. */
export async function ffprobeTimeline(file: string): Promise<ProbedTimeline[]> {
  const { stdout } = await run(
    'ffprobe',
    [
      ...['-hide_banner', '-loglevel', 'error', '-of', 'json'],
      ...['-show_entries', 'stream=index,codec_name,time_base:packet=stream_index,pts,dts,flags,size', file],
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as {
    streams: { index: number; codec_name: string; time_base: string }[];
    packets: { stream_index: number; pts: number; dts: number; flags: string; size: string }[];
  };
  return json.streams.map((s) => {
    const [num, den] = s.time_base.split('/').map(Number) as [number, number];
    const ticks = (v: number) => Math.round((v * 90_000 * num) / den);
    return {
      index: s.index,
      codec: s.codec_name,
      packets: json.packets
        .filter((p) => p.stream_index === s.index)
        .map((p) => ({
          dts: ticks(p.dts),
          pts: ticks(p.pts),
          key: p.flags.includes('K'),
          size: Number(p.size),
        })),
    };
  });
}
