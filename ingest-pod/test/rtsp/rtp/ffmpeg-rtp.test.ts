// Real peer: ffmpeg sends an H.264 (B-frames) + AAC encode as plain RTP (no RTSP) with RTCP
// sender reports; our tracks must give back what ffprobe reads from the same file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { AVPacket } from '../../../src/avpacket.js';
import { alignmentOffsets, parseSenderReports, type TrackAnchor } from '../../../src/rtsp/rtp/rtp-clock.js';
import { RtpTrack, type RtpTrackOptions } from '../../../src/rtsp/rtp/rtp-track.js';
import { parseSprop } from '../../../src/rtsp/rtp/sprop.js';
import { ffprobeDecodedFrames } from '../../support/media.js';
import { makeTempDir, runFfmpeg, spawnFfmpeg, waitFor } from '../../support/peers.js';

const run = promisify(execFile);

interface RtpPorts {
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  port: number;
}

async function bind(socket: dgram.Socket, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => resolve(true));
  });
}

/** An even RTP port and the RTCP port after it, both bound (ffmpeg sends RTCP to port + 1). */
async function bindRtpPair(): Promise<RtpPorts> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const rtp = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    await bind(rtp, 0);
    const port = rtp.address().port;
    const rtcp = dgram.createSocket('udp4');
    if (port % 2 === 0 && (await bind(rtcp, port + 1))) return { rtp, rtcp, port };
    rtp.close();
    rtcp.close();
  }
  throw new Error('no free even/odd UDP port pair on 127.0.0.1');
}

function closePorts(p: RtpPorts): void {
  p.rtp.close();
  p.rtcp.close();
}

interface ProbedTrack {
  /** PTS in decoding order, in 90 kHz ticks relative to the first. */
  pts: number[];
  keyframes: number;
}

/** ffprobe's packets of one stream, with their time base applied. */
async function probe(file: string, stream: number): Promise<ProbedTrack> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', String(stream), '-of', 'json'],
    ...['-show_entries', 'stream=time_base:packet=pts,flags', file],
  ]);
  const json = JSON.parse(stdout) as {
    streams: { time_base: string }[];
    packets: { pts: number; flags: string }[];
  };
  const [num, den] = json.streams[0]!.time_base.split('/').map(Number);
  // Packets flagged D (the AAC encoder's priming frame) are not sent by ffmpeg's RTP muxer.
  const kept = json.packets.filter((p) => !p.flags.includes('D'));
  const ticks = kept.map((p) => Math.round((p.pts * num! * 90_000) / den!));
  return {
    pts: ticks.map((t) => t - ticks[0]!),
    keyframes: kept.filter((p) => p.flags.includes('K')).length,
  };
}

function fmtp(sdp: string, pt: number, name: string): string {
  const line = sdp.split(/\r?\n/).find((l) => l.startsWith(`a=fmtp:${pt} `)) ?? '';
  const match = new RegExp(`(?:^|[ ;])${name}=([^;\\s]+)`).exec(line.slice(line.indexOf(' ')));
  assert.ok(match, `fmtp ${name} for payload type ${pt} in ${sdp}`);
  return match[1]!;
}

test('H.264 with B-frames and AAC over RTP from ffmpeg come out as ffprobe reads the same file', async () => {
  const dir = await makeTempDir();
  const video = await bindRtpPair();
  const audio = await bindRtpPair();
  try {
    const src = join(dir.path, 'src.mp4');
    await runFfmpeg([
      ...[
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=25',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=48000',
      ],
      ...['-t', '2', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2'],
      ...['-g', '25', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', src],
    ]);
    const [probedVideo, probedAudio] = [await probe(src, 0), await probe(src, 1)];

    const datagrams: { kind: 'video' | 'audio'; data: Buffer; at: number }[] = [];
    const reports: { kind: 'video' | 'audio'; data: Buffer }[] = [];
    video.rtp.on('message', (data) => datagrams.push({ kind: 'video', data, at: Date.now() }));
    audio.rtp.on('message', (data) => datagrams.push({ kind: 'audio', data, at: Date.now() }));
    video.rtcp.on('message', (data) => reports.push({ kind: 'video', data }));
    audio.rtcp.on('message', (data) => reports.push({ kind: 'audio', data }));

    const sdpFile = join(dir.path, 'session.sdp');
    const sender = spawnFfmpeg([
      ...['-re', '-i', src, '-map', '0:v', '-c', 'copy', '-f', 'rtp', `rtp://127.0.0.1:${video.port}`],
      ...['-map', '0:a', '-c', 'copy', '-f', 'rtp', `rtp://127.0.0.1:${audio.port}`, '-sdp_file', sdpFile],
    ]);
    try {
      await waitFor(
        () => existsSync(sdpFile) && readFileSync(sdpFile, 'utf8').includes('m=audio'),
        'the SDP file',
      );
      const sdp = readFileSync(sdpFile, 'utf8');
      const sprop = parseSprop('sprop-parameter-sets', fmtp(sdp, 96, 'sprop-parameter-sets'));
      assert.ok(typeof sprop !== 'string', String(sprop));
      const malformed: string[] = [];
      const common = { onMalformed: (d: string) => malformed.push(d) } satisfies Partial<RtpTrackOptions>;
      const tracks = {
        video: new RtpTrack({
          ...common,
          trackId: 0,
          clockRate: 90_000,
          payloadType: 96,
          payload: { codec: 'h264', parameterSets: sprop },
        }),
        audio: new RtpTrack({
          ...common,
          trackId: 1,
          clockRate: 48_000,
          payloadType: 97,
          payload: { codec: 'aac', config: fmtp(sdp, 97, 'config') },
        }),
      };
      const out: Record<'video' | 'audio', AVPacket[]> = { video: [], audio: [] };
      let taken = 0;
      const drain = () => {
        for (; taken < datagrams.length; taken++) {
          const d = datagrams[taken]!;
          out[d.kind].push(...tracks[d.kind].push(d.data, d.at));
        }
        return out.video.length >= probedVideo.pts.length && out.audio.length >= probedAudio.pts.length;
      };
      await waitFor(
        drain,
        `${probedVideo.pts.length} video and ${probedAudio.pts.length} audio access units`,
      );
      assert.equal(await sender.exited, 0, sender.stderr());
      drain();
      for (const kind of ['video', 'audio'] as const) out[kind].push(...tracks[kind].close());

      assert.deepEqual(malformed, []);
      for (const kind of ['video', 'audio'] as const) {
        const s = tracks[kind].stats;
        assert.deepEqual([s.lost, s.malformed, s.fragmentsLost], [0, 0, 0], `${kind} ${JSON.stringify(s)}`);
      }
      const relative = (packets: AVPacket[]) => packets.map((p) => p.pts - packets[0]!.pts);
      assert.deepEqual(relative(out.video), probedVideo.pts);
      assert.deepEqual(relative(out.audio), probedAudio.pts);
      assert.equal(out.video.filter((p) => p.key).length, probedVideo.keyframes);
      assert.ok(
        probedVideo.pts.some((t, i) => i > 0 && t < probedVideo.pts[i - 1]!),
        'the encode has B-frames',
      );
      for (const [i, p] of out.video.entries()) {
        assert.ok(p.dts <= p.pts, `frame ${i}: dts ${p.dts} > pts ${p.pts}`);
        if (i > 0) assert.ok(p.dts > out.video[i - 1]!.dts, `frame ${i}: dts does not rise`);
      }
      // ffmpeg packs several AAC frames into one packet: each still got its own time (checked above).
      const audioPackets = datagrams.filter((d) => d.kind === 'audio').length;
      assert.ok(
        audioPackets < out.audio.length,
        `${audioPackets} audio packets for ${out.audio.length} frames`,
      );

      // The Annex B and ADTS we made decode, every frame.
      const h264 = join(dir.path, 'out.h264');
      const aac = join(dir.path, 'out.aac');
      await writeFile(h264, Buffer.concat(out.video.map((p) => p.data)));
      await writeFile(aac, Buffer.concat(out.audio.map((p) => p.data)));
      assert.deepEqual(await ffprobeDecodedFrames(h264), [probedVideo.pts.length]);
      assert.deepEqual(await ffprobeDecodedFrames(aac), [probedAudio.pts.length]);

      // Sender reports put both tracks on one timeline: they start together, as the source does.
      const anchors: TrackAnchor[] = [];
      for (const kind of ['video', 'audio'] as const) {
        const report = reports.filter((r) => r.kind === kind).flatMap((r) => parseSenderReports(r.data))[0];
        assert.ok(report, `a sender report for ${kind}`);
        anchors.push(tracks[kind].anchorAt(report));
      }
      const offsets = alignmentOffsets(anchors);
      const firstVideo = Math.min(...out.video.map((p) => p.pts)) + offsets.get(0)!;
      const firstAudio = Math.min(...out.audio.map((p) => p.pts)) + offsets.get(1)!;
      // ffmpeg ties its SR to the send time of a track's first packet, and sends AAC only once a
      // packet's worth of frames is gathered: its audio reports run late by up to one packet.
      const framesPerPacket = Math.ceil(out.audio.length / audioPackets);
      const tolerance = 3600 + framesPerPacket * 1920;
      const apart = Math.abs(firstVideo - firstAudio);
      assert.ok(apart <= tolerance, `A/V apart by ${apart} ticks, more than ${tolerance}`);
    } finally {
      await sender.stop();
    }
  } finally {
    closePorts(video);
    closePorts(audio);
    await dir.remove();
  }
});

test('H.265 with B-frames over RTP from ffmpeg (FU, sprop-vps/sps/pps) decodes, frame for frame', async () => {
  const dir = await makeTempDir();
  const video = await bindRtpPair();
  try {
    const src = join(dir.path, 'src.mp4');
    await runFfmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'libx265'],
      ...['-x265-params', 'log-level=error:keyint=25:min-keyint=25:scenecut=0', '-pix_fmt', 'yuv420p', src],
    ]);
    const probed = await probe(src, 0);
    const datagrams: { data: Buffer; at: number }[] = [];
    video.rtp.on('message', (data) => datagrams.push({ data, at: Date.now() }));
    const sdpFile = join(dir.path, 'session.sdp');
    const sender = spawnFfmpeg([
      ...['-re', '-i', src, '-c', 'copy', '-f', 'rtp', `rtp://127.0.0.1:${video.port}`, '-sdp_file', sdpFile],
    ]);
    try {
      await waitFor(
        () => existsSync(sdpFile) && readFileSync(sdpFile, 'utf8').includes('sprop-pps'),
        'the SDP file',
      );
      const sdp = readFileSync(sdpFile, 'utf8');
      const sets = ['sprop-vps', 'sprop-sps', 'sprop-pps'].flatMap((name) => {
        const units = parseSprop(name, fmtp(sdp, 96, name));
        assert.ok(typeof units !== 'string', String(units));
        return units;
      });
      const track = new RtpTrack({
        trackId: 0,
        clockRate: 90_000,
        payloadType: 96,
        payload: { codec: 'h265', parameterSets: sets },
      });
      const out: AVPacket[] = [];
      let taken = 0;
      const drain = () => {
        for (; taken < datagrams.length; taken++)
          out.push(...track.push(datagrams[taken]!.data, datagrams[taken]!.at));
        return out.length >= probed.pts.length;
      };
      await waitFor(drain, `${probed.pts.length} H.265 access units`);
      out.push(...track.close());
      const s = track.stats;
      assert.deepEqual([s.lost, s.malformed, s.fragmentsLost, s.dtsClamped], [0, 0, 0, 0], JSON.stringify(s));
      assert.deepEqual(
        out.map((p) => p.pts - out[0]!.pts),
        probed.pts,
      );
      assert.equal(out.filter((p) => p.key).length, probed.keyframes);
      assert.ok(
        probed.pts.some((t, i) => i > 0 && t < probed.pts[i - 1]!),
        'the encode has B-frames',
      );
      for (const [i, p] of out.entries()) {
        assert.ok(p.dts <= p.pts, `frame ${i}: dts ${p.dts} > pts ${p.pts}`);
        if (i > 0) assert.ok(p.dts > out[i - 1]!.dts, `frame ${i}: dts does not rise`);
      }
      const hevc = join(dir.path, 'out.hevc');
      await writeFile(hevc, Buffer.concat(out.map((p) => p.data)));
      assert.deepEqual(await ffprobeDecodedFrames(hevc), [probed.pts.length]);
    } finally {
      await sender.stop();
    }
  } finally {
    closePorts(video);
    await dir.remove();
  }
});
