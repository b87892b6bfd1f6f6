// Large media files for the throughput benches, built once with ffmpeg into the cache
// (${TRIBUTARY_CACHE:-~/.cache/tributary}/bench) and reused: a 20 s 720p30 H.264 + AAC seed,
// looped with -c copy until the file is at least `minBytes`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CachedMedia {
  /** File name in the cache. */
  name: string;
  /** ffmpeg muxer: mpegts or flv. */
  format: string;
  minBytes: number;
  /** Encoder options between the test inputs and the output (video and audio). */
  encode: readonly string[];
}

const INPUTS = [
  ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'],
  ...['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000'],
];

/** The file's path, built first when it is missing or smaller than asked. */
export function cachedMedia(media: CachedMedia): string {
  const dir = join(process.env.TRIBUTARY_CACHE ?? join(homedir(), '.cache', 'tributary'), 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, media.name);
  if (existsSync(file) && statSync(file).size >= media.minBytes) return file;
  console.error(`building ${file} (once)`);
  const ff = ['-hide_banner', '-loglevel', 'error', '-y'];
  const seed = `${file}.seed`;
  execFileSync('ffmpeg', [...ff, ...INPUTS, '-t', '20', ...media.encode, '-f', media.format, seed]);
  const loops = String(Math.ceil(media.minBytes / statSync(seed).size));
  const partial = `${file}.partial`;
  execFileSync('ffmpeg', [
    ...ff,
    '-stream_loop',
    loops,
    '-i',
    seed,
    '-c',
    'copy',
    '-f',
    media.format,
    partial,
  ]);
  renameSync(partial, file);
  rmSync(seed);
  return file;
}
