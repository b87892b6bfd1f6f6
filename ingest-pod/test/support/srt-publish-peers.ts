// SRT publishers for push-listener tests: srt-live-transmit relaying UDP datagrams we send (exact
// bytes), ffmpeg looping a file, and a bare handshake through our own engine to read reject codes.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { SrtRequestError, sharedSrtEngine } from '../../src/srt/srt-engine.js';
import type { SrtSocketOptions } from '../../src/srt/srt-url.js';
import { type FfmpegProcess, ffmpegLoop, freeUdpPort, spawnPeer } from './peers.js';

/**
 * srt-live-transmit from udp://127.0.0.1:<udpPort> to our listener; no reconnects, so a refusal
 * ends it, and it gives up after 20 s if it never connected.
 */
export async function srtLiveTransmit(
  port: number,
  streamId: string,
  passphrase?: string,
): Promise<FfmpegProcess & { udpPort: number }> {
  const udpPort = await freeUdpPort();
  const query = `streamid=${streamId}${passphrase === undefined ? '' : `&passphrase=${passphrase}`}`;
  const peer = spawnPeer('srt-live-transmit', [
    '-a:no',
    '-t:20',
    '-tm:1',
    `udp://127.0.0.1:${udpPort}`,
    `srt://127.0.0.1:${port}?${query}`,
  ]);
  return { ...peer, udpPort };
}

/** ffmpeg publishing `file` in a loop, in real time, until stopped. */
export function ffmpegLoopCaller(
  file: string,
  port: number,
  streamId: string,
  passphrase: string,
): FfmpegProcess {
  const url = `srt://127.0.0.1:${port}?mode=caller&latency=120000&pkt_size=1316&streamid=${streamId}&passphrase=${passphrase}`;
  return ffmpegLoop(file, ['-f', 'mpegts', url]);
}

/** Connects with our own engine: 'accepted' (and closes again) or the listener's reject code. */
export async function handshake(port: number, options: SrtSocketOptions): Promise<number | 'accepted'> {
  try {
    const connection = await sharedSrtEngine().connect(
      { family: 4, address: '127.0.0.1', port },
      { connectTimeoutMs: 5000, ...options },
    );
    connection.close();
    return 'accepted';
  } catch (error) {
    if (error instanceof SrtRequestError && error.failure.reject !== undefined) return error.failure.reject;
    throw error;
  }
}

/**
 * Sends `data` to 127.0.0.1:`port` in 1316-byte datagrams at about 4 Mbit/s: srt-live-transmit
 * (and its SRT sender's buffer) loses datagrams that come in much faster bursts.
 */
export async function sendPaced(data: Uint8Array, port: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  let sent = 0;
  for (let at = 0; at < data.length; at += 1316) {
    const datagram = data.subarray(at, Math.min(at + 1316, data.length));
    await new Promise<void>((resolve, reject) =>
      socket.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
    if (++sent % 4 === 0) await sleep(10);
  }
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

/** `promise`, or a rejection naming `what` after `ms`: a peer that never exits fails the test instead of hanging it. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
