import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ReaderError } from '../../src/reader/packet-reader.js';
import {
  type SrtConnection,
  SrtEngine,
  type SrtListener,
  sharedSrtEngine,
} from '../../src/srt/srt-engine.js';
import type { SrtFailure } from '../../src/srt/srt-errors.js';
import type { SrtAccessTable } from '../../src/srt/srt-messages.js';
import { SrtReader } from '../../src/srt/srt-reader.js';
import { parseSrtUrl } from '../../src/srt/srt-url.js';
import { ffprobeCounts, makeTsFile } from '../support/media.js';
import { concat, makeTempDir, type TempDir, tsPacketCheck } from '../support/peers.js';
import { ffmpegSrtCaller, waitFor } from '../support/srt-peers.js';

// Listener mode: bind/listen/accept in the SRT engine, the caller's stream id, handshake-time access.

let dir: TempDir;
let file: string;
before(async () => {
  dir = await makeTempDir();
  file = await makeTsFile(dir.path, { seconds: 2 });
});
after(() => dir.remove());

const ANY_PORT = { family: 4, address: '127.0.0.1', port: 0 } as const;

/** Collects every accepted connection's bytes until it closes. */
function gather(listener: SrtListener) {
  const sessions: { connection: SrtConnection; chunks: Uint8Array[]; ended: boolean }[] = [];
  listener.onConnection = (connection) => {
    const session = { connection, chunks: [] as Uint8Array[], ended: false };
    sessions.push(session);
    connection.onData = (chunk) => session.chunks.push(chunk);
    connection.onClose = () => {
      session.ended = true;
    };
  };
  return sessions;
}

test('an ffmpeg caller connects with a stream id; its TS arrives whole', async () => {
  const listener = await sharedSrtEngine().listen(ANY_PORT, { latencyMs: 120 });
  const sessions = gather(listener);
  assert.ok(listener.port > 0);
  const streamId = '#!::r=live/cam1,m=publish,u=alice';
  const caller = ffmpegSrtCaller(file, listener.port, streamId);
  try {
    assert.equal(await caller.exited, 0, caller.stderr());
    await waitFor(() => sessions[0]?.ended === true, 'the session to end');
    const session = sessions[0];
    assert.ok(session !== undefined);
    assert.equal(session.connection.streamId, streamId);
    assert.match(session.connection.peer, /^127\.0\.0\.1:\d+$/);
    assert.equal(tsPacketCheck(session.chunks).aligned, true);
    const received = join(dir.path, 'received.ts');
    await writeFile(received, concat(session.chunks));
    const counts = (streams: Awaited<ReturnType<typeof ffprobeCounts>>) =>
      streams.map((s) => [s.codec, s.frames, s.keyframes]);
    assert.deepEqual(counts(await ffprobeCounts(received)), counts(await ffprobeCounts(file)));
  } finally {
    listener.close();
    await caller.stop();
  }
});

const ACCESS: SrtAccessTable = {
  streams: {
    'live/cam1': { passphrase: 'cam1-passphrase', exclusive: true },
    'live/open': {},
    'live/banned': { reject: 1403 },
  },
};

test('access table with ffmpeg callers: per-stream passphrase accepted, unknown stream refused', async () => {
  const listener = await sharedSrtEngine().listen(ANY_PORT, {}, { access: ACCESS });
  const sessions = gather(listener);
  const refused: [string, number, string][] = [];
  listener.onRefused = (id, code, peer) => refused.push([id, code, peer]);
  const good = ffmpegSrtCaller(
    file,
    listener.port,
    '#!::r=live/cam1,m=publish',
    '&passphrase=cam1-passphrase',
  );
  const unknown = ffmpegSrtCaller(file, listener.port, '#!::r=live/other,m=publish');
  try {
    assert.notEqual(await unknown.exited, 0, 'a refused caller fails');
    assert.equal(await good.exited, 0, good.stderr());
    await waitFor(() => sessions[0]?.ended === true, 'the accepted session to end');
    assert.equal(sessions.length, 1);
    assert.ok(tsPacketCheck(sessions[0]?.chunks ?? []).packets > 1000);
    assert.equal(refused.length, 1);
    assert.equal(refused[0]?.[0], '#!::r=live/other,m=publish');
    assert.equal(refused[0]?.[1], 1404);
    assert.match(refused[0]?.[2] ?? '', /^127\.0\.0\.1:\d+$/);
  } finally {
    listener.close();
    await Promise.all([good.stop(), unknown.stop()]);
  }
});

test('our caller against our listener: the reject codes arrive named, permanent or retriable', async () => {
  const engine = sharedSrtEngine();
  const listener = await engine.listen(ANY_PORT, {}, { access: ACCESS });
  const held: SrtConnection[] = [];
  listener.onConnection = (c) => held.push(c);
  const open = async (query: string) => {
    const reader = new SrtReader(parseSrtUrl(`srt://127.0.0.1:${listener.port}?${query}`));
    const error = await reader.open(new AbortController().signal).then(
      () => undefined,
      (err: unknown) => err as ReaderError,
    );
    return { reader, error };
  };
  try {
    const forbidden = await open('streamid=live/banned');
    assert.ok(forbidden.error instanceof ReaderError);
    assert.match(forbidden.error.message, /forbidden.*SRT_REJX_FORBIDDEN, reject code 1403/);
    assert.equal(forbidden.error.retriable, false);
    const missing = await open('streamid=live/nothere');
    assert.match(missing.error?.message ?? '', /not found.*SRT_REJX_NOTFOUND/);
    assert.equal(missing.error?.retriable, false);
    const badSecret = await open('streamid=live/cam1&passphrase=wrong-passphrase');
    assert.match(badSecret.error?.message ?? '', /SRT_REJ_BADSECRET/);
    const first = await open('streamid=live/cam1&passphrase=cam1-passphrase');
    assert.equal(first.error, undefined);
    await waitFor(() => held.length === 1, 'the listener to accept');
    assert.equal(held[0]?.streamId, 'live/cam1');
    const second = await open('streamid=%23!%3A%3Ar%3Dlive%2Fcam1&passphrase=cam1-passphrase');
    assert.match(second.error?.message ?? '', /conflict.*SRT_REJX_CONFLICT/);
    assert.equal(second.error?.retriable, true);
    await first.reader.close();
    listener.setAccess(undefined);
    const anyone = await open('streamid=whatever');
    assert.equal(anyone.error, undefined, 'without a table every caller is accepted');
    await anyone.reader.close();
  } finally {
    listener.close();
    for (const c of held) c.close();
  }
  await waitFor(() => engine.openSockets === 0, 'every socket closed');
});

test("shutdown closes the engine's sockets in libsrt; the next request starts it again", async () => {
  const engine = new SrtEngine();
  const listener = await engine.listen(ANY_PORT, {});
  assert.match(engine.version ?? '', /^1\.5\.\d+$/);
  const closed: SrtFailure[] = [];
  listener.onClose = (failure) => closed.push(failure);
  await engine.shutdown();
  assert.equal(closed.length, 1);
  assert.match(closed[0]?.detail ?? '', /shut down/);
  assert.equal(engine.openSockets, 0);
  const again = await engine.listen({ ...ANY_PORT, port: listener.port }, {});
  assert.equal(again.port, listener.port, 'the port was released');
  await engine.shutdown();
});
