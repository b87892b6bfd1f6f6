import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RelayKind } from '../../src/push-relay/relay-wire.js';
import type { Registry } from '../../src/registry/registry-api.js';
import { ffprobeCounts, makeTsFile } from '../support/media.js';
import { testRoute } from '../support/memory-registry.js';
import type { NatsServer } from '../support/nats.js';
import { concat, type TempDir, tsPacketCheck, waitFor } from '../support/peers.js';
import {
  type PushTestBed,
  type RelayCollector,
  type RelaySession,
  type SrtReplica,
  startPushTestBed,
  startSrtReplica,
} from '../support/push-harness.js';
import type { TestSealing } from '../support/push-sealing.js';
import { ffmpegSrtCaller } from '../support/srt-peers.js';
import {
  ffmpegLoopCaller,
  handshake,
  sendPaced,
  srtLiveTransmit,
  within,
} from '../support/srt-publish-peers.js';

// The SRT side of the push-listener against real callers, a real nats-server with JetStream and
// the real registry: handshake-time access from the registry, relay of the TS as it came.

const PASSPHRASE = 'correct-horse-battery';

let bed: PushTestBed;
let nats: NatsServer;
let dir: TempDir;
let file: string;
let registry: Registry;
let replica: SrtReplica;
let relays: RelayCollector;
let sealing: TestSealing;

before(async () => {
  bed = await startPushTestBed();
  ({ nats, dir, sealing, registry, relays } = bed);
  file = await makeTsFile(dir.path, { seconds: 2 });
  replica = await startSrtReplica({ natsUrl: nats.url, replica: 'replica-a', openSealed: sealing.open });
});

after(async () => {
  await replica?.stop();
  await bed?.stop();
});

/** Registers `ns/<stream>` with the passphrase sealed to the test key; resolves once replica-a's table has it. */
async function register(stream: string, passphrase: string | null = PASSPHRASE): Promise<string> {
  const srt = passphrase === null ? {} : { srt: { sealed: sealing.seal(passphrase) } };
  await registry.register(testRoute('ns', stream, srt));
  await waitFor(() => replica.mirror.route(`ns/${stream}`) !== undefined, `ns/${stream} in the mirror`);
  await replica.server.refresh();
  return `ns/${stream}`;
}

function assertWellFormed(session: RelaySession): void {
  const kinds = session.messages.map((m) => m.kind);
  assert.equal(kinds[0], RelayKind.start, 'start comes first');
  assert.deepEqual(
    session.messages.map((m) => m.sequence),
    session.messages.map((_, i) => i),
    'sequence numbers from 0 without a gap',
  );
  const start = JSON.parse(new TextDecoder().decode(session.messages[0]?.payload)) as Record<string, string>;
  assert.equal(start.protocol, 'srt');
  assert.equal(start.replica, 'replica-a');
  assert.match(start.peer ?? '', /^127\.0\.0\.1:\d+$/);
}

test('plain <ns>/<stream> id via srt-live-transmit: every TS packet sent arrives on the _push subject', async () => {
  const route = await register('plain');
  const peer = await srtLiveTransmit(replica.port, route, PASSPHRASE);
  try {
    await waitFor(() => relays.sessions(route).length === 1, 'the start message');
    const data = await readFile(file);
    await sendPaced(data, peer.udpPort);
    const session = relays.sessions(route)[0] as RelaySession;
    await waitFor(() => session.bytes() >= data.length, `${data.length} bytes relayed`);
    await peer.stop();
    await waitFor(() => session.ended() !== undefined, 'the end message');
    assertWellFormed(session);
    assert.equal(session.ended(), 'publisher disconnected');
    const media = session.messages.filter((m) => m.kind === RelayKind.ts).map((m) => m.payload);
    assert.deepEqual(tsPacketCheck(media), tsPacketCheck([data]));
    assert.ok(concat(media).equals(data), 'the bytes as they were sent');
    await waitFor(() => replica.mirror.active(route) === undefined, 'the mark released');
  } finally {
    await peer.stop();
  }
});

for (const [name, shape] of [
  ['haivision', (route: string) => `#!::r=${route},m=publish`],
  ['publish-prefix', (route: string) => `publish:${route}`],
] as const) {
  test(`stream id ${shape('<ns>/<stream>')} via ffmpeg: the whole file arrives`, async () => {
    const route = await register(name);
    const caller = ffmpegSrtCaller(file, replica.port, shape(route), `&passphrase=${PASSPHRASE}`);
    try {
      assert.equal(await within(caller.exited, 30_000, 'ffmpeg to finish'), 0, caller.stderr());
      const session = () => relays.sessions(route)[0];
      await waitFor(() => session()?.ended() !== undefined, 'the end message');
      const done = session() as RelaySession;
      assertWellFormed(done);
      const received = join(dir.path, `${name}.ts`);
      const media = done.messages.filter((m) => m.kind === RelayKind.ts).map((m) => m.payload);
      assert.equal(tsPacketCheck(media).aligned, true);
      await writeFile(received, concat(media));
      const counts = (streams: Awaited<ReturnType<typeof ffprobeCounts>>) =>
        streams.map((s) => [s.codec, s.frames, s.keyframes]);
      assert.deepEqual(counts(await ffprobeCounts(received)), counts(await ffprobeCounts(file)));
      assert.ok(
        (await replica.metric('tributary_push_relayed_bytes_total', { protocol: 'srt' })) >= done.bytes(),
      );
    } finally {
      await caller.stop();
    }
  });
}

test('refused at the handshake: unknown, malformed, m=request, no passphrase registered, wrong passphrase', async () => {
  const route = await register('guarded');
  const unsealed = await register('unsealed', null);
  const count = (reason: string) =>
    replica.metric('tributary_push_rejections_total', { protocol: 'srt', reason });
  const before = {
    notFound: await count('not-found'),
    malformed: await count('malformed'),
    forbidden: await count('forbidden'),
  };
  assert.equal(await handshake(replica.port, { streamId: 'ns/nothing-here', passphrase: PASSPHRASE }), 1404);
  assert.equal(await handshake(replica.port, { streamId: '#!::m=publish,u=alice' }), 1400);
  assert.equal(await handshake(replica.port, { streamId: 'not a route' }), 1404);
  assert.equal(
    await handshake(replica.port, { streamId: `#!::r=${route},m=request`, passphrase: PASSPHRASE }),
    1403,
    'm=request',
  );
  assert.equal(await handshake(replica.port, { streamId: unsealed }), 1403, 'unsealed');
  await waitFor(async () => (await count('not-found')) === before.notFound + 1, 'not-found counted');
  await waitFor(async () => (await count('malformed')) === before.malformed + 2, 'malformed counted twice');
  await waitFor(async () => (await count('forbidden')) === before.forbidden + 2, 'forbidden counted twice');

  // libsrt refuses a wrong passphrase after our hook accepted the handshake: the caller is told,
  // the listener's engine does not report it (see the report), so no publisher is admitted.
  const accepted = await replica.metric('tributary_push_accepted_total', { protocol: 'srt' });
  const wrong = await srtLiveTransmit(replica.port, route, 'not-the-passphrase');
  assert.equal(await within(wrong.exited, 30_000, 'srt-live-transmit to give up'), 0);
  assert.match(wrong.stderr(), /Incorrect passphrase/);
  assert.doesNotMatch(wrong.stderr(), /SRT target connected/);
  // SRT_REJ_BADSECRET, and SRT_REJ_UNSECURE without any passphrase.
  assert.equal(await handshake(replica.port, { streamId: route, passphrase: 'not-the-passphrase' }), 10);
  assert.equal(await handshake(replica.port, { streamId: route }), 11);
  assert.equal(await replica.metric('tributary_push_accepted_total', { protocol: 'srt' }), accepted);
  assert.equal(relays.sessions(route).length, 0);
});

test('a second publisher for a live key: 1409 on this replica and on another; the first streams on', async () => {
  const route = await register('busy');
  const other = await startSrtReplica({ natsUrl: nats.url, replica: 'replica-b', openSealed: sealing.open });
  const first = ffmpegLoopCaller(file, replica.port, route, PASSPHRASE);
  try {
    await waitFor(() => (relays.sessions(route)[0]?.bytes() ?? 0) > 0, 'the first publisher relayed');
    assert.equal(await handshake(replica.port, { streamId: route, passphrase: PASSPHRASE }), 1409);
    await waitFor(() => other.mirror.active(route) !== undefined, 'the mark visible to replica-b');
    await other.server.refresh();
    assert.notEqual(other.port, replica.port);
    assert.equal(await handshake(other.port, { streamId: route, passphrase: PASSPHRASE }), 1409);
    assert.equal(
      await other.metric('tributary_push_rejections_total', { protocol: 'srt', reason: 'conflict' }),
      1,
    );
    const session = relays.sessions(route)[0] as RelaySession;
    const sent = session.messages.length;
    await waitFor(() => session.messages.length > sent + 5, 'more media after the refusals');
    assert.equal(relays.sessions(route).length, 1, 'one session only');
    assert.equal(session.ended(), undefined);
    assertWellFormed(session);
  } finally {
    await first.stop();
    await other.stop();
  }
});

test('unregistering the route disconnects the publisher; a new attempt gets 1404', async () => {
  const route = await register('leaving');
  const publisher = ffmpegLoopCaller(file, replica.port, route, PASSPHRASE);
  try {
    await waitFor(() => (relays.sessions(route)[0]?.bytes() ?? 0) > 0, 'the publisher relayed');
    await registry.unregister(route);
    const session = relays.sessions(route)[0] as RelaySession;
    await waitFor(() => session.ended() !== undefined, 'the end message');
    assert.equal(session.ended(), 'stream unregistered');
    assertWellFormed(session);
    assert.notEqual(
      await within(publisher.exited, 30_000, 'ffmpeg to fail'),
      0,
      'ffmpeg lost its connection',
    );
    assert.equal(replica.server.connected, 0);
    await waitFor(() => replica.mirror.route(route) === undefined, 'the route gone from the mirror');
    await replica.server.refresh();
    assert.equal(await handshake(replica.port, { streamId: route, passphrase: PASSPHRASE }), 1404);
  } finally {
    await publisher.stop();
  }
});
