// The buffer against real peers: AVPackets from an ffmpeg file go over a real nats-server into
// `startBuffer`, a viewer reads /<ns>/<stream>.ts over HTTP, ffprobe and ffmpeg read what it got.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { createTsDemuxer } from '../../src/mpegts/index.js';
import { byTrack } from '../mpegts/demux-helpers.js';
import { ffprobePackets } from '../support/media.js';
import { runFfmpeg, waitFor } from '../support/peers.js';
import { asSession, bufferOnBus, firstGopEnd, publishPackets } from './bus-support.js';

const SUBJECT = 'tributary.demo.cam.av';

/** A viewer of a live TS URL: its bytes, and the access units our demuxer finds in them so far. */
function watch(url: string) {
  const chunks: Buffer[] = [];
  const units: AVPacket[] = [];
  const demuxer = createTsDemuxer();
  const req = request(url);
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (response) => {
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        units.push(...demuxer.push(chunk));
      });
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.end();
  return { status, units, bytes: () => Buffer.concat(chunks), close: () => req.destroy() };
}

describe('buffer: live MPEG-TS over HTTP', () => {
  const bus = bufferOnBus({ seconds: 3 });

  it('serves every access unit from the latest keyframe on, decodable, monotonic across a new session', async () => {
    const first = asSession(bus.packets, 0x1111);
    // A replacement pod: a new session whose timestamps start over.
    const second = asSession(bus.packets, 0x2222);
    const head = firstGopEnd(bus.packets);
    await publishPackets(bus.nc, SUBJECT, first.slice(0, head));
    await waitFor(async () => (await bus.streams())[0]?.received === head, 'the first GOP buffered');

    const viewer = watch(`http://127.0.0.1:${bus.buffer.port}/demo/cam.ts`);
    assert.equal(await viewer.status, 200);
    await publishPackets(bus.nc, SUBJECT, first.slice(head));
    await publishPackets(bus.nc, SUBJECT, second);
    const total = first.length + second.length;
    await waitFor(() => viewer.units.length === total, `all ${total} access units out of the .ts`, 30_000);
    const [summary] = await bus.streams();
    assert.equal(summary?.viewers, 1);
    viewer.close();

    // What came out is what went in, track by track, the second session shifted to follow the first.
    const out = byTrack(viewer.units);
    const video = out.get(256)!;
    assert.ok(video[0]!.key, 'starts on a keyframe');
    const sentFirst = byTrack(first);
    const sentSecond = byTrack(second);
    for (const [trackId, got] of out) {
      const a = sentFirst.get(trackId)!;
      const b = sentSecond.get(trackId)!;
      const offset = got[a.length]!.dts - b[0]!.dts;
      assert.ok(
        got[a.length]!.dts > got[a.length - 1]!.dts,
        `track ${trackId}: the second session follows the first`,
      );
      assert.deepEqual(
        got.map((p) => [p.key, p.pts, p.dts]),
        [...a.map((p) => [p.key, p.pts, p.dts]), ...b.map((p) => [p.key, p.pts + offset, p.dts + offset])],
        `track ${trackId}`,
      );
    }

    const file = join(bus.dir, 'viewer.ts');
    await writeFile(file, viewer.bytes());
    const probed = await ffprobePackets(file);
    const counts = [...probed.values()].map((list) => list.length).sort((a, b) => a - b);
    const sentCounts = ['aac', 'h264'].map(
      (codec) => 2 * bus.packets.filter((p) => p.codec === codec).length,
    );
    assert.deepEqual(
      counts,
      sentCounts.sort((a, b) => a - b),
    );
    for (const list of probed.values()) {
      const dts = list.map((p) => p.dts ?? 0);
      assert.ok(
        dts.every((d, i) => i === 0 || d > dts[i - 1]!),
        'DTS increase across the session change',
      );
    }
    // Decodable start to end: ffmpeg stops at the first error.
    await runFfmpeg(['-xerror', '-i', file, '-f', 'null', '-']);
  });

  it('answers 404 naming the stream for one it does not hold, and reports loss from sequence gaps', async () => {
    const missing = await fetch(`http://127.0.0.1:${bus.buffer.port}/demo/nope.ts`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /demo\/nope/);

    const lossy = asSession(bus.packets.slice(0, 20), 0x3333).filter((p) => p.seq !== 5 && p.seq !== 6);
    await publishPackets(bus.nc, 'tributary.demo.lossy.av', lossy);
    const summary = await waitFor(
      async () => (await bus.streams()).find((s) => s.name === 'lossy' && s.received === 18),
      'the lossy stream buffered',
    );
    assert.equal(summary.lost, 2);
  });

  it('holds only the namespaces it was given', async () => {
    await publishPackets(bus.nc, 'tributary.other.cam.av', asSession(bus.packets.slice(0, 5), 0x4444));
    await publishPackets(bus.nc, 'tributary.demo.marker.av', asSession(bus.packets.slice(0, 5), 0x5555));
    await waitFor(async () => (await bus.streams()).some((s) => s.name === 'marker'), 'the marker stream');
    assert.ok(!(await bus.streams()).some((s) => s.namespace === 'other'));
  });
});
