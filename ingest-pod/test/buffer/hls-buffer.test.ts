// HLS out of the buffer against real peers: AVPackets from an ffmpeg file go over a real
// nats-server into `startBuffer`; ffmpeg reads the playlist and segments over HTTP, and the
// LL-HLS blocking requests are answered once the media they wait for is published.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ffprobePackets } from '../support/media.js';
import { runFfmpeg, waitFor } from '../support/peers.js';
import { asSession, bufferOnBus, firstGopEnd, publishPackets } from './bus-support.js';

const SUBJECT = 'tributary.demo.cam.av';
const SESSION_WALL_MS = [Date.UTC(2026, 0, 1, 12), Date.UTC(2026, 0, 1, 13), Date.UTC(2026, 0, 1, 14)];

describe('buffer: HLS and LL-HLS over HTTP', () => {
  const bus = bufferOnBus({ seconds: 5 });
  const base = () => `http://127.0.0.1:${bus.buffer.port}/demo/cam`;

  it('serves every access unit of two sessions in segments ffmpeg reads, a discontinuity between', async () => {
    const first = asSession(bus.packets, 0x1111, { wallMs: SESSION_WALL_MS[0]! });
    // A replacement pod: a new session whose timestamps start over.
    const second = asSession(bus.packets, 0x2222, { wallMs: SESSION_WALL_MS[1]! });
    // A third session's first GOP ends the second one's last segment; it stays in progress.
    const third = asSession(bus.packets.slice(0, firstGopEnd(bus.packets)), 0x3333, {
      wallMs: SESSION_WALL_MS[2]!,
    });
    for (const run of [first, second, third]) await publishPackets(bus.nc, SUBJECT, run);
    const total = first.length + second.length + third.length;
    const summary = await waitFor(async () => {
      const s = (await bus.streams()).find((c) => c.name === 'cam');
      return s?.received === total && s;
    }, `all ${total} access units buffered`);
    assert.equal(summary.hls, '/demo/cam/index.m3u8');
    assert.equal(summary.ts, '/demo/cam.ts');

    const response = await fetch(`${base()}/index.m3u8`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const playlist = await response.text();
    // The new sessions each start a segment, announced with their own wall time.
    const iso = (ms: number) => new Date(ms).toISOString();
    assert.equal(playlist.match(/^#EXT-X-DISCONTINUITY$/gm)?.length, 2, playlist);
    assert.ok(playlist.includes(`#EXT-X-PROGRAM-DATE-TIME:${iso(SESSION_WALL_MS[0]!)}\n`), playlist);
    assert.ok(
      playlist.includes(`#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:${iso(SESSION_WALL_MS[1]!)}\n`),
    );
    assert.ok(
      playlist.includes(`#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:${iso(SESSION_WALL_MS[2]!)}\n`),
    );
    const target = Number(/^#EXT-X-TARGETDURATION:(\d+)$/m.exec(playlist)![1]);
    for (const [, extinf] of playlist.matchAll(/^#EXTINF:([\d.]+),$/gm))
      assert.ok(Math.round(Number(extinf)) <= target, `EXTINF ${extinf} within the target ${target}`);
    assert.match(playlist, /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-\d+\.\d+\.ts"$/m);

    // ffmpeg reads the complete segments (it skips parts) and stops once no new one comes.
    const out = join(bus.dir, 'hls.ts');
    await runFfmpeg([
      ...['-live_start_index', '0', '-m3u8_hold_counters', '0'],
      ...['-i', `${base()}/index.m3u8`, '-c', 'copy', '-f', 'mpegts', out],
    ]);
    const probed = await ffprobePackets(out);
    const counts = [...probed.values()].map((list) => list.length).sort((a, b) => a - b);
    const sent = ['aac', 'h264'].map((codec) => 2 * bus.packets.filter((p) => p.codec === codec).length);
    assert.deepEqual(
      counts,
      sent.sort((a, b) => a - b),
      'every access unit of the two sessions',
    );
    for (const list of probed.values()) {
      const dts = list.map((p) => p.dts ?? 0);
      assert.ok(
        dts.every((d, i) => i === 0 || d > dts[i - 1]!),
        'DTS increase across the session change',
      );
    }
    await runFfmpeg(['-xerror', '-i', out, '-f', 'null', '-']);
  });

  it('holds a blocking reload and the hinted part until that part exists, refuses one too far ahead', async () => {
    const playlist = await (await fetch(`${base()}/index.m3u8`)).text();
    const [, msnText, partText] = /PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.(\d+)\.ts"/.exec(playlist)!;
    const [msn, part] = [Number(msnText), Number(partText)];

    let published = false;
    const answeredAfterPublish = async (url: string) => {
      const response = await fetch(url);
      assert.ok(published, `${url} was answered before the media it waits for was published`);
      return response;
    };
    const reload = answeredAfterPublish(`${base()}/index.m3u8?_HLS_msn=${msn}&_HLS_part=${part}`);
    const hinted = answeredAfterPublish(`${base()}/part-${msn}.${part}.ts`);
    const tooFar = await fetch(`${base()}/index.m3u8?_HLS_msn=${msn + 2}`);
    assert.equal(tooFar.status, 400);
    assert.match(((await tooFar.json()) as { error: string }).error, /_HLS_msn/);

    // The third session goes on: its next GOPs complete the hinted part.
    const head = firstGopEnd(bus.packets);
    published = true;
    await publishPackets(
      bus.nc,
      SUBJECT,
      asSession(bus.packets.slice(head), 0x3333, { wallMs: SESSION_WALL_MS[2]!, firstSeq: head }),
    );

    const reloaded = await reload;
    assert.equal(reloaded.status, 200);
    assert.match(reloaded.headers.get('cache-control') ?? '', /max-age=\d+/);
    assert.ok((await reloaded.text()).includes(`URI="part-${msn}.${part}.ts"`));
    const partResponse = await hinted;
    assert.equal(partResponse.status, 200);
    assert.equal(partResponse.headers.get('content-type'), 'video/mp2t');
    const bytes = new Uint8Array(await partResponse.arrayBuffer());
    assert.ok(bytes.length > 0 && bytes.length % 188 === 0 && bytes[0] === 0x47, 'whole TS packets');
  });

  it('answers 404 with a reason for an unknown stream and for a segment not in the window', async () => {
    const unknown = await fetch(`http://127.0.0.1:${bus.buffer.port}/demo/nope/index.m3u8`);
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: string }).error, /demo\/nope/);
    const gone = await fetch(`${base()}/seg-0.ts`);
    assert.equal(gone.status, 404);
    assert.match(
      ((await gone.json()) as { error: string }).error,
      /segment 0 of demo\/cam is not in the window/,
    );
    const listed = /^(seg-\d+\.ts)$/m.exec(await (await fetch(`${base()}/index.m3u8`)).text())![1];
    const segment = await fetch(`${base()}/${listed}`);
    assert.equal(segment.status, 200);
    assert.match(segment.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
  });
});
