import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { RtspSession, type RtspSessionOptions } from '../../src/rtsp/rtsp-session.js';
import { freeTcpPort, waitFor } from '../support/peers.js';
import { type RtspServerPeer, startRtspServer } from '../support/rtsp-peers.js';
import { startRecordingProxy } from '../support/rtsp-recording-proxy.js';

interface Played {
  session: RtspSession;
  rtp: number[];
  rtcp: number[];
  errors: ReaderError[];
  logs: string[];
}

function session(url: string, extra: Partial<RtspSessionOptions> = {}): Played {
  const played: Played = { rtp: [], rtcp: [], errors: [], logs: [] } as unknown as Played;
  played.session = new RtspSession({
    url,
    onRtp: (track) => {
      played.rtp[track] = (played.rtp[track] ?? 0) + 1;
    },
    onRtcp: (track) => {
      played.rtcp[track] = (played.rtcp[track] ?? 0) + 1;
    },
    onError: (error) => played.errors.push(error),
    log: (message) => played.logs.push(message),
    ...extra,
  });
  return played;
}

async function playsBothTracks(played: Played): Promise<void> {
  const tracks = await played.session.open(AbortSignal.timeout(30_000));
  assert.deepEqual(
    tracks.map((t) => t.media),
    ['video', 'audio'],
  );
  await waitFor(
    () => (played.rtp[0] ?? 0) >= 25 && (played.rtp[1] ?? 0) >= 10,
    `RTP on both tracks (got ${played.rtp.join('/')})`,
  );
}

async function openError(played: Played): Promise<ReaderError> {
  const err = await played.session.open(AbortSignal.timeout(30_000)).then(
    () => assert.fail('open() succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ReaderError, String(err));
  return err;
}

describe('RtspSession against GStreamer (H.264 + AAC, H.265)', () => {
  let server: RtspServerPeer;
  before(async () => {
    server = await startRtspServer({ h265: true });
  });
  after(() => server.stop());

  test('TCP interleaved: RTP on both tracks, TEARDOWN on close', async () => {
    const played = session(`${server.url('/test')}?transport=tcp`);
    await playsBothTracks(played);
    assert.equal(played.session.transport, 'tcp');
    const [video, audio] = played.session.tracks;
    assert.deepEqual([video?.codec, video?.clockRate, video?.payloadType], ['H264', 90000, 96]);
    assert.deepEqual([audio?.codec, audio?.payloadType, audio?.fmtp.mode], ['MPEG4-GENERIC', 97, 'AAC-hbr']);
    assert.ok((audio?.clockRate ?? 0) >= 8000, `AAC clock rate ${audio?.clockRate}`);
    assert.ok(video?.fmtp['sprop-parameter-sets'], 'H.264 fmtp has sprop-parameter-sets');
    assert.match(video?.control ?? '', new RegExp(`^rtsp://127\\.0\\.0\\.1:${server.port}/test/stream=0$`));
    const before = server.teardowns();
    await played.session.close();
    await waitFor(() => server.teardowns() > before, 'the server to receive TEARDOWN');
    assert.deepEqual(played.errors, []);
  });

  test('UDP: RTP on both tracks', async () => {
    const played = session(`${server.url('/test')}?transport=udp`);
    await playsBothTracks(played);
    assert.equal(played.session.transport, 'udp');
    await played.session.close();
  });

  test('auto with H.265 stays on UDP when RTP arrives', async () => {
    const played = session(server.url('/h265'));
    await playsBothTracks(played);
    assert.equal(played.session.transport, 'udp');
    assert.equal(played.session.tracks[0]?.codec, 'H265');
    assert.deepEqual(played.logs, []);
    await played.session.close();
  });

  test('auto falls back to TCP when no RTP arrives over UDP', async () => {
    const proxy = await startRecordingProxy(server.port, { blackholeUdp: true });
    try {
      const played = session(`rtsp://127.0.0.1:${proxy.port}/test`, { udpRtpWindowMs: 1500 });
      await playsBothTracks(played);
      assert.equal(played.session.transport, 'tcp');
      assert.match(
        played.logs.join('\n'),
        /no RTP arrived over UDP within 1500 ms of PLAY.*falling back to TCP/,
      );
      const methods = proxy.requests.map((line) => line.split(' ')[0]);
      assert.deepEqual(methods.slice(0, methods.indexOf('TEARDOWN') + 1), [
        'OPTIONS',
        'DESCRIBE',
        'SETUP',
        'SETUP',
        'PLAY',
        'TEARDOWN',
      ]);
      await played.session.close();
    } finally {
      await proxy.close();
    }
  });

  test('a wrong path is a permanent 404', async () => {
    const err = await openError(session(server.url('/nope')));
    assert.equal(err.retriable, false);
    assert.match(err.message, /404/);
  });

  test('no supported track names what the SDP offered', async () => {
    const err = await openError(session(server.url('/test'), { isSupported: () => false }));
    assert.equal(err.retriable, false);
    assert.match(
      err.message,
      /H\.264, H\.265, AAC or MP2T needed; the SDP offered video H264, audio MPEG4-GENERIC/,
    );
  });
});

describe('RtspSession fallback, auth and failures', () => {
  test('auto falls back to TCP when the server refuses UDP', async () => {
    const server = await startRtspServer({ tcpOnly: true });
    try {
      const played = session(server.url('/test'));
      await playsBothTracks(played);
      assert.equal(played.session.transport, 'tcp');
      assert.match(played.logs.join('\n'), /SETUP over UDP answered 461.*falling back to TCP/);
      await played.session.close();
    } finally {
      await server.stop();
    }
  });

  test('keep-alives go out at half the session timeout and the session keeps playing', async () => {
    const server = await startRtspServer({ sessionTimeoutS: 2 });
    const proxy = await startRecordingProxy(server.port);
    try {
      const played = session(`rtsp://127.0.0.1:${proxy.port}/test?transport=tcp`);
      await playsBothTracks(played);
      const keepAlives = () => proxy.requests.filter((line) => line.startsWith('GET_PARAMETER ')).length;
      await waitFor(() => keepAlives() >= 3, 'three GET_PARAMETER keep-alives (one a second)');
      const sofar = played.rtp[0] ?? 0;
      await waitFor(() => (played.rtp[0] ?? 0) > sofar + 25, 'video RTP after the keep-alives');
      assert.deepEqual(played.errors, []);
      await played.session.close();
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  test('Digest: right credentials play, wrong ones are a permanent 401 without the password', async () => {
    const server = await startRtspServer({ user: 'cam', password: 's3cret-pw' });
    try {
      const right = session(`${server.url('/test', 'cam:s3cret-pw')}?transport=tcp`);
      await playsBothTracks(right);
      await right.session.close();
      const fromParams = session(`${server.url('/test')}?transport=tcp&user=cam&password=s3cret-pw`);
      await playsBothTracks(fromParams);
      await fromParams.session.close();
      const wrong = session(server.url('/test', 'cam:wrong-pw'));
      const err = await openError(wrong);
      assert.equal(err.retriable, false);
      assert.match(err.message, /401.*wrong credentials/);
      assert.doesNotMatch(err.message, /wrong-pw/);
      const none = await openError(session(server.url('/test')));
      assert.match(none.message, /401.*needs credentials/);
    } finally {
      await server.stop();
    }
  });

  test('the server going away while playing is a retriable error', async () => {
    const server = await startRtspServer();
    try {
      const played = session(`${server.url('/test')}?transport=tcp`);
      await playsBothTracks(played);
      await server.stop();
      await waitFor(() => played.errors.length > 0, 'onError after the server stopped');
      assert.equal(played.errors[0]?.retriable, true);
      await played.session.close();
    } finally {
      await server.stop();
    }
  });

  test('aborting open() rejects with a retriable error and sends nothing more', async () => {
    const server = await startRtspServer();
    const proxy = await startRecordingProxy(server.port);
    try {
      const controller = new AbortController();
      const played = session(`rtsp://127.0.0.1:${proxy.port}/test?transport=tcp`);
      const opening = played.session.open(controller.signal);
      await waitFor(() => proxy.requests.some((line) => line.startsWith('DESCRIBE ')), 'DESCRIBE');
      controller.abort();
      const err = await opening.then(
        () => assert.fail('open() succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ReaderError && err.retriable, String(err));
      assert.ok(!proxy.requests.some((line) => line.startsWith('PLAY ')), proxy.requests.join('\n'));
      await played.session.close();
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  test('a refused connection is a retriable error', async () => {
    const port = await freeTcpPort();
    const err = await openError(session(`rtsp://127.0.0.1:${port}/test`));
    assert.equal(err.retriable, true);
    assert.match(err.message, /cannot connect/);
  });
});
