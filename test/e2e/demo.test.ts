// The README's `npm run demo`, headless: scripts/demo.sh runs its whole path (cluster, NATS, chart,
// ffmpeg source, example Stream, the buffer, `tributary tail`); meanwhile this test subscribes to
// the Stream's subject like a buffer pod, decodes the envelopes and has ffmpeg decode the video and
// audio, and records the buffer's live MPEG-TS with ffmpeg.
// Then it presses Ctrl-C (SIGINT to the demo's process group) and checks that nothing is left.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { decodeEnvelope, isWireError, Reassembler, type WirePacket } from '@tributary/ingest-pod/wire';
import { REPO_ROOT } from '../../tools/cluster/index.js';
import { run } from './chart-helm.js';

const SUBJECT = 'tributary.default.demo.av';
const COLLECT_MS = 8000;

/** The demo's output so far, and a way to wait for a line (failing at once if the demo exits). */
class Output {
  text = '';
  async waitFor(pattern: RegExp, timeoutMs: number, child: ChildProcess): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.text);
      if (match) return match;
      const ended = child.exitCode ?? child.signalCode;
      if (ended !== null)
        throw new Error(`the demo exited (${ended}) before printing ${pattern}:\n${this.text}`);
      if (Date.now() > deadline)
        throw new Error(`no ${pattern} in the demo's output after ${timeoutMs} ms:\n${this.text}`);
      await sleep(250);
    }
  }
}

/** Packets published on the demo Stream's subject for `ms`, reassembled. */
async function collectPackets(natsUrl: string, credsFile: string, ms: number): Promise<WirePacket[]> {
  const nc = await connect({
    servers: natsUrl,
    authenticator: credsAuthenticator(fs.readFileSync(credsFile)),
  });
  const reassembler = new Reassembler();
  const packets: WirePacket[] = [];
  let wireErrors = 0;
  const sub = nc.subscribe(SUBJECT);
  const done = (async () => {
    for await (const message of sub) {
      const envelope = decodeEnvelope(message.data);
      if (isWireError(envelope)) wireErrors++;
      else {
        const packet = reassembler.push(envelope);
        if (packet) packets.push({ ...packet, data: Uint8Array.from(packet.data) });
      }
    }
  })();
  await sleep(ms);
  await nc.drain();
  await done;
  assert.equal(wireErrors, 0, 'every message on the subject is a valid envelope');
  return packets;
}

/** Frames ffprobe decodes from an elementary stream file, and what it complained about. */
async function decodedFrames(file: string, format: string): Promise<{ frames: number; errors: string }> {
  const result = await run('ffprobe', [
    '-v',
    'error',
    '-f',
    format,
    '-count_frames',
    '-select_streams',
    '0',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    file,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return { frames: Number(result.stdout.trim()), errors: result.stderr.trim() };
}

function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

let demo: ChildProcess | undefined;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-demo-test-'));
after(async () => {
  // Only if the test failed half-way: stop the demo's own process group; its trap does the rest.
  if (demo && demo.exitCode === null && demo.pid) {
    process.kill(-demo.pid, 'SIGINT');
    await once(demo, 'exit');
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});

test('npm run demo reaches Live, publishes decodable packets, and Ctrl-C cleans up', async () => {
  const output = new Output();
  // A process group of its own, like a terminal's foreground job, so SIGINT reaches it as Ctrl-C would.
  demo = spawn('bash', [path.join(REPO_ROOT, 'scripts/demo.sh'), '--duration', '600'], {
    cwd: REPO_ROOT,
    env: { ...process.env, TMPDIR: scratch },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(demo, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const closed = once(demo, 'close');
  for (const stream of [demo.stdout, demo.stderr])
    stream?.setEncoding('utf8').on('data', (t) => (output.text += t));

  const [, natsUrl = '', natsConfig = ''] = await output.waitFor(
    /demo: NATS (nats:\/\/127\.0\.0\.1:\d+) \(config (\S+):/,
    300_000,
    demo,
  );
  const clusterDir = (await output.waitFor(/cluster up in \d+ s \(files: (\S+)\)/, 10_000, demo))[1]!;
  const sourceUrl = (await output.waitFor(/test source -> (udp:\/\/\S+)/, 300_000, demo))[1]!;
  await output.waitFor(/stream default\/demo is Live/, 300_000, demo);
  assert.match(output.text, /NAME\s+PHASE[\s\S]*\ndemo\s+Live/, 'kubectl get streams showed the Stream Live');

  // Without a credential the server refuses even a reader; with the namespace's read-only one it serves.
  await assert.rejects(connect({ servers: natsUrl, maxReconnectAttempts: 0 }), /Authorization Violation/);
  const readerCreds = (await output.waitFor(/credential of namespace default: (\S+)/, 60_000, demo))[1]!;
  const packets = await collectPackets(natsUrl, readerCreds, COLLECT_MS);
  const video = packets.filter((p) => p.codec === 'h264');
  const audio = packets.filter((p) => p.codec === 'aac');
  const firstKey = video.findIndex((p) => p.key);
  assert.ok(firstKey >= 0, `a keyframe among ${video.length} video packets`);
  const videoFile = path.join(scratch, 'video.h264');
  const audioFile = path.join(scratch, 'audio.aac');
  fs.writeFileSync(videoFile, Buffer.concat(video.slice(firstKey).map((p) => p.data)));
  fs.writeFileSync(audioFile, Buffer.concat(audio.map((p) => p.data)));
  const seconds = COLLECT_MS / 1000;
  const decodedVideo = await decodedFrames(videoFile, 'h264');
  assert.equal(decodedVideo.errors, '');
  assert.ok(
    decodedVideo.frames >= 25 * (seconds - 3),
    `${decodedVideo.frames} video frames decoded in ${seconds} s`,
  );
  const decodedAudio = await decodedFrames(audioFile, 'aac');
  assert.equal(decodedAudio.errors, '');
  assert.ok(decodedAudio.frames >= 46 * (seconds - 3), `${decodedAudio.frames} audio frames decoded`);
  const sorted = video.slice(firstKey).every((p, i, all) => i === 0 || p.dts > all[i - 1]!.dts);
  assert.ok(sorted, 'video DTS increase');

  // The buffer the demo started serves the console, and the stream as live MPEG-TS that ffprobe decodes.
  const consoleUrl = (await output.waitFor(/console: (http:\/\/\S+)/, 60_000, demo))[1]!;
  const page = await fetch(consoleUrl);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Tributary console<\/title>/);
  const watchUrl = (await output.waitFor(/watch it: ffplay (http:\/\/\S+\.ts)/, 60_000, demo))[1]!;
  const recorded = path.join(scratch, 'watched.ts');
  const watched = await run('ffmpeg', [
    '-v',
    'error',
    '-t',
    '3',
    '-i',
    watchUrl,
    '-c',
    'copy',
    '-y',
    recorded,
  ]);
  assert.equal(watched.code, 0, watched.stderr);
  const decodedTs = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=codec_name,nb_read_frames',
    '-of',
    'csv=p=0',
    recorded,
  ]);
  assert.equal(decodedTs.stderr.trim(), '');
  assert.match(decodedTs.stdout, /h264,\d+/);
  assert.match(decodedTs.stdout, /aac,\d+/);

  // `tributary tail` shows the packets and a summary per second.
  await output.waitFor(/track=\d+ h264 K/, 20_000, demo);
  await output.waitFor(/-- \d+ packets, \d+ kb\/s, input 0, lost 0/, 20_000, demo);
  process.kill(-demo.pid!, 'SIGINT');
  const [code] = await exited;
  // Its last lines may still be in the pipes; a child it leaked would hold them open, hence the bound.
  await Promise.race([closed, sleep(10_000)]);
  assert.match(output.text, /demo: done/, output.text);
  assert.equal(code, 130, 'the demo ends as interrupted');
  assert.ok(!fs.existsSync(clusterDir), `the cluster's files are gone (${clusterDir})`);
  assert.deepEqual(processesMentioning(clusterDir), [], 'no cluster process is left');
  assert.deepEqual(processesMentioning(natsConfig), [], 'nats-server is gone');
  assert.deepEqual(processesMentioning(sourceUrl), [], 'ffmpeg is gone');
  const bufferPort = new URL(watchUrl).port;
  assert.deepEqual(processesMentioning(`--port ${bufferPort} `), [], 'the buffer is gone');
  assert.deepEqual(
    fs.readdirSync(scratch).filter((f) => f.startsWith('tributary-demo-')),
    [],
    "the demo's work directory is gone",
  );
});
