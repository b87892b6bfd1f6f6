// SRT peers for reader tests: ffmpeg as SRT listener or caller, srt-live-transmit, and waiting.
//
//   const port = await freeUdpPort();                        // SRT runs over UDP
//   const sender = ffmpegSrtListener(file, port);             // -re, the whole file, then closes
//   const relay = spawnPeer('srt-live-transmit', ['-q', udpIn, `srt://127.0.0.1:${port}?mode=listener`]);
//   await waitFor(() => got.length > 0, 'data');              // polls a condition with a deadline
//   await sender.stop();
import { type FfmpegProcess, ffmpegLoop, spawnFfmpeg } from './peers.js';

/**
 * ffmpeg streaming `file` (-re, -c copy) as an SRT listener on 127.0.0.1:`port` (or `host`, such
 * as `[::1]`). Its latency is in
 * µs (120 ms here). linger=3 makes ffmpeg wait for the last packets to be acknowledged before it
 * closes; without it the tail of a finite file (~100 ms) never leaves the sender.
 */
export function ffmpegSrtListener(
  file: string,
  port: number,
  options: { loop?: boolean; query?: string; host?: string } = {},
): FfmpegProcess {
  const host = options.host ?? '127.0.0.1';
  const url = `srt://${host}:${port}?mode=listener&latency=120000&pkt_size=1316&linger=3${options.query ?? ''}`;
  if (options.loop) return ffmpegLoop(file, ['-f', 'mpegts', url]);
  return spawnFfmpeg(['-re', '-i', file, '-map', '0', '-c', 'copy', '-f', 'mpegts', url]);
}

/** ffmpeg streaming `file` as an SRT caller to 127.0.0.1:`port` with a stream id (ffmpeg 5.1 takes it raw, no %-decoding). */
export function ffmpegSrtCaller(file: string, port: number, streamId: string, query = ''): FfmpegProcess {
  const url = `srt://127.0.0.1:${port}?mode=caller&latency=120000&pkt_size=1316&linger=3&streamid=${streamId}${query}`;
  return spawnFfmpeg(['-re', '-i', file, '-map', '0', '-c', 'copy', '-f', 'mpegts', url]);
}

export { spawnPeer, waitFor } from './peers.js';

/** Byte offsets of the stats fields we read in SRT_TRACEBSTATS of libsrt 1.5.1 (x86-64), from the C header. */
export const LIBSRT_1_5_1_STATS_OFFSETS = {
  pktRecvTotal: 16,
  pktRcvLossTotal: 28,
  pktRcvDropTotal: 68,
  pktRcvRetrans: 164,
  mbpsRecvRate: 192,
  msRTT: 328,
  mbpsBandwidth: 336,
  msRcvBuf: 388,
  msRcvTsbPdDelay: 392,
} as const;
