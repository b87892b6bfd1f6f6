// The credential the operator mints for a Stream with a copy:// input, against a real nats-server:
// its pod reads the upstream's packets and events through the copy reader, and nothing of another
// Stream's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { type NatsIdentity, natsInboxPrefix, type Stream, subjects } from '@tributary/crds';
import { CopyReader, natsCopyFeed } from '../../ingest-pod/src/copy/index.js';
import { ReaderError } from '../../ingest-pod/src/reader/packet-reader.js';
import { encodeEnvelopes } from '../../ingest-pod/src/wire/index.js';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import { waitFor } from '../../ingest-pod/test/support/peers.js';
import { generateSeeds, NatsAuthority } from '../../operator/src/nats-auth/authority.js';
import { streamIdentity } from '../../operator/src/nats-auth/stream-identity.js';

const PREFIX = 'tributary';

const mirrorStream = {
  apiVersion: 'tributary.io/v1alpha1',
  kind: 'Stream',
  metadata: { name: 'mirror', namespace: 'news', uid: 'u-mirror' },
  spec: { inputs: [{ url: 'copy://cam' }, { url: 'udp://239.1.1.1:5000' }] },
} as Stream;

function envelope(seq: number): Uint8Array {
  const [one] = encodeEnvelopes(
    {
      codec: 'h264',
      trackId: 256,
      pts: 90_000 + seq * 3600,
      dts: 90_000 + seq * 3600,
      key: true,
      data: new Uint8Array([0, 0, 0, 1, 0x65, seq]),
      inputPriority: 0,
      sessionId: 7,
      sessionStart: seq === 0,
      seq,
      wallTimeMs: Date.now(),
    },
    { maxPayload: 1024 * 1024 },
  );
  return one!;
}

describe('NATS authorization of a copy:// Stream', () => {
  let nats: NatsServer;
  let authority: NatsAuthority;
  const connections: NatsConnection[] = [];

  async function client(identity: NatsIdentity): Promise<NatsConnection> {
    const { creds } = await authority.mint(identity, JSON.stringify(identity));
    const nc = await connect({
      servers: nats.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      inboxPrefix: natsInboxPrefix(identity),
    });
    connections.push(nc);
    return nc;
  }

  before(async () => {
    authority = new NatsAuthority(generateSeeds(), PREFIX);
    nats = await startNats({ extraConfig: await authority.serverConfig() });
  });
  after(async () => {
    for (const nc of connections) await nc.close().catch(() => {});
    await nats?.stop();
  });

  it("lets the copy read its upstream's .av and .events, through the copy reader", async () => {
    const cam = await client({ kind: 'stream', namespace: 'news', stream: 'cam' });
    const mirror = await client(streamIdentity(mirrorStream));
    const notes: string[] = [];
    const reader = new CopyReader({
      upstream: 'cam',
      feed: natsCopyFeed(mirror, PREFIX, 'news'),
      onEvent: (event) => {
        if (event.type === 'demux') notes.push(event.detail);
      },
    });
    await reader.open(new AbortController().signal);
    await mirror.flush();
    for (let seq = 0; seq < 3; seq++) cam.publish(subjects(PREFIX, 'news', 'cam').av, envelope(seq));
    const got = [];
    while (got.length < 3) got.push(...((await reader.read()) ?? []));
    assert.deepEqual(
      got.map((p) => [p.codec, p.dts, p.data.at(-1)]),
      [
        ['h264', 90_000, 0],
        ['h264', 93_600, 1],
        ['h264', 97_200, 2],
      ],
    );
    assert.equal('seq' in got[0]!, false, "the upstream's sequence numbers stay behind");
    cam.publish(
      subjects(PREFIX, 'news', 'cam').events,
      JSON.stringify({ type: 'stream.stopped', payload: { reason: 'shutdown' } }),
    );
    // .events is readable too: the stop is noted, and the input goes on (a replaced upstream's
    // successor publishes on the same subject).
    await cam.flush();
    cam.publish(subjects(PREFIX, 'news', 'cam').av, envelope(3));
    const next = (await reader.read()) ?? [];
    assert.equal(next.length, 1, 'the input did not end');
    await waitFor(
      () => notes.some((n) => n.includes('Stream "cam" stopped (shutdown)')),
      'the stop noted from .events',
    );
    await reader.close();
  });

  it("refuses the copy's credential another Stream's subjects, and the reader says why", async () => {
    const studio = await client({ kind: 'stream', namespace: 'news', stream: 'studio' });
    const mirror = await client(streamIdentity(mirrorStream));
    const reader = new CopyReader({ upstream: 'studio', feed: natsCopyFeed(mirror, PREFIX, 'news') });
    await reader.open(new AbortController().signal);
    const failure = reader.read();
    await mirror.flush();
    let published = 0;
    const publishing = setInterval(() => {
      studio.publish(subjects(PREFIX, 'news', 'studio').av, envelope(published++));
    }, 20);
    try {
      const error = await failure.then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ReaderError, String(error));
      assert.match(
        error.message,
        /copy:\/\/studio: cannot read tributary\.news\.studio\.(av|events): .*Permissions Violation/,
      );
      assert.match(error.message, /credential must grant it/);
      // Another Stream's control and push relay stay closed to it as well.
      for (const subject of [subjects(PREFIX, 'news', 'cam').control, subjects(PREFIX, 'news', 'cam').push]) {
        const closed = await mirror.subscribe(subject).closed;
        assert.match(String(closed), /Permissions Violation for Subscription/);
      }
      await waitFor(() => published >= 3, 'the studio publishing meanwhile');
    } finally {
      clearInterval(publishing);
      await reader.close();
    }
  });
});
