import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RelayKind } from '../../src/push-relay/relay-wire.js';
import { hashPublishKey } from '../../src/registry/index.js';
import type { Registry, RegistryMirror } from '../../src/registry/registry-api.js';
import { runCli, startCli } from '../cli/run-cli.js';
import { makeTsFile } from '../support/media.js';
import { testRoute } from '../support/memory-registry.js';
import type { NatsServer } from '../support/nats.js';
import { freeTcpPort, freeUdpPort, type TempDir, waitFor } from '../support/peers.js';
import { type PushTestBed, type RelayCollector, startPushTestBed } from '../support/push-harness.js';
import type { TestSealing } from '../support/push-sealing.js';
import { makeFlvFile, publishFileToRtmp } from '../support/rtmp-peers.js';
import { attemptRtmpPublish } from '../support/rtmp-publish-attempt.js';
import { ffmpegLoopCaller, handshake } from '../support/srt-publish-peers.js';

// `tributary push-listener` as a process: readiness, metrics, SRT publishing through it, and the
// drain on SIGTERM.

const PASSPHRASE = 'cli-test-passphrase';

let bed: PushTestBed;
let nats: NatsServer;
let dir: TempDir;
let file: string;
let sealing: TestSealing;
let registry: Registry;
let mirror: RegistryMirror;
let relays: RelayCollector;

before(async () => {
  bed = await startPushTestBed();
  ({ nats, dir, sealing, registry, relays } = bed);
  file = await makeTsFile(dir.path, { seconds: 2 });
  mirror = await registry.mirror();
});

after(async () => {
  mirror?.close();
  await bed?.stop();
});

async function ports() {
  return { rtmp: await freeTcpPort(), srt: await freeUdpPort(), metrics: await freeTcpPort() };
}

function listenerArgs(
  port: { rtmp: number; srt: number; metrics: number },
  replica: string,
  extra: string[] = [],
) {
  return [
    'push-listener',
    ...['--host', '127.0.0.1', '--rtmp-port', String(port.rtmp), '--srt-port', String(port.srt)],
    ...['--metrics-port', String(port.metrics), '--nats-url', nats.url, '--replica', replica],
    ...['--data-dir', dir.path, ...extra],
  ];
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

test('serves readiness and metrics, relays an SRT publisher, and drains it on SIGTERM', async () => {
  await registry.register(testRoute('cli', 'cam', { srt: { sealed: sealing.seal(PASSPHRASE) } }));
  const port = await ports();
  const listener = startCli(listenerArgs(port, 'cli-a', ['--sealing-key-file', sealing.keyFile]));
  let publisher: ReturnType<typeof ffmpegLoopCaller> | undefined;
  try {
    await waitFor(
      async () => (await get(port.metrics, '/readyz').catch(() => ({ status: 0 }))).status === 200,
      'ready',
    );
    assert.equal((await get(port.metrics, '/healthz')).status, 200);
    assert.equal(await handshake(port.srt, { streamId: 'cli/nothing' }), 1404);
    publisher = ffmpegLoopCaller(file, port.srt, '#!::r=cli/cam,m=publish', PASSPHRASE);
    await waitFor(() => (relays.sessions('cli/cam')[0]?.bytes() ?? 0) > 0, 'media relayed');
    const metrics = (await get(port.metrics, '/metrics')).body;
    assert.match(metrics, /^tributary_push_publishers\{protocol="srt"\} 1$/m);
    assert.match(metrics, /^tributary_push_accepted_total\{protocol="srt"\} 1$/m);
    assert.match(metrics, /^tributary_push_rejections_total\{protocol="srt",reason="not-found"\} 1$/m);
    assert.match(metrics, /^tributary_push_relayed_bytes_total\{protocol="srt"\} [1-9]\d*$/m);
    assert.match(metrics, /^tributary_push_nats_connected 1$/m);
    assert.doesNotMatch(metrics, new RegExp(PASSPHRASE));
    assert.equal(mirror.active('cli/cam')?.replica, 'cli-a');

    assert.equal(await listener.stop(), 0, listener.stderr());
    const session = relays.sessions('cli/cam')[0];
    await waitFor(() => session?.ended() !== undefined, 'the end message');
    assert.equal(session?.ended(), 'listener draining');
    await waitFor(() => mirror.active('cli/cam') === undefined, 'the mark released');
    const logs = listener.stdout();
    assert.match(logs, /"msg":"publisher accepted"/);
    assert.match(logs, /"msg":"shutdown complete"/);
    assert.doesNotMatch(logs, new RegExp(PASSPHRASE));
  } finally {
    await publisher?.stop();
    await listener.stop();
  }
});

test('RTMP through the process: the right key is relayed as FLV, a wrong one is counted as bad-key', async () => {
  const key = 'cli-rtmp-publish-key';
  await registry.register(testRoute('cli', 'rtmpcam', { publishKey: await hashPublishKey(key) }));
  const flv = await makeFlvFile(dir.path, { seconds: 2 });
  const port = await ports();
  const listener = startCli(listenerArgs(port, 'cli-c'));
  let publisher: ReturnType<typeof publishFileToRtmp> | undefined;
  try {
    await waitFor(
      async () => (await get(port.metrics, '/readyz').catch(() => ({ status: 0 }))).status === 200,
      'ready',
    );
    const wrong = await attemptRtmpPublish(port.rtmp, 'cli', 'rtmpcam?key=not-the-key');
    assert.equal(wrong.end, 'closed');
    publisher = publishFileToRtmp(flv, `rtmp://127.0.0.1:${port.rtmp}/cli/rtmpcam?key=${key}`);
    await waitFor(() => (relays.sessions('cli/rtmpcam')[0]?.bytes() ?? 0) > 0, 'FLV relayed');
    const session = relays.sessions('cli/rtmpcam')[0];
    const start = JSON.parse(new TextDecoder().decode(session?.messages[0]?.payload)) as { protocol: string };
    assert.equal(start.protocol, 'rtmp');
    assert.equal(session?.messages[1]?.kind, RelayKind.flv);
    const metrics = (await get(port.metrics, '/metrics')).body;
    assert.match(metrics, /^tributary_push_rejections_total\{protocol="rtmp",reason="bad-key"\} 1$/m);
    assert.match(metrics, /^tributary_push_publishers\{protocol="rtmp"\} 1$/m);
    assert.doesNotMatch(listener.stdout(), new RegExp(key));
    assert.doesNotMatch(listener.stdout(), /not-the-key/);
    assert.equal(await listener.stop(), 0, listener.stderr());
    await waitFor(() => session?.ended() !== undefined, 'the end message');
    assert.equal(session?.ended(), 'listener draining');
  } finally {
    await publisher?.stop();
    await listener.stop();
  }
});

test('without a sealing key every SRT publisher is refused with 1403, and the log says why', async () => {
  await registry.register(testRoute('cli', 'nokey', { srt: { sealed: sealing.seal(PASSPHRASE) } }));
  const port = await ports();
  const listener = startCli(listenerArgs(port, 'cli-b'));
  try {
    await listener.line((line) => line.includes('no sealing key'));
    await waitFor(
      async () => (await get(port.metrics, '/readyz').catch(() => ({ status: 0 }))).status === 200,
      'ready',
    );
    assert.equal(await handshake(port.srt, { streamId: 'cli/nokey', passphrase: PASSPHRASE }), 1403);
  } finally {
    assert.equal(await listener.stop(), 0);
  }
});

test('argument errors exit 2 with a message', async () => {
  const noNats = await runCli(['push-listener', '--replica', 'x'], { NATS_URL: '' });
  assert.equal(noNats.code, 2);
  assert.match(noNats.stderr, /--nats-url or env NATS_URL/);
  const badPort = await runCli([
    'push-listener',
    '--nats-url',
    'nats://127.0.0.1:1',
    '--replica',
    'x',
    '--srt-port',
    '70000',
  ]);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--srt-port: 70000 is not a port/);
});
