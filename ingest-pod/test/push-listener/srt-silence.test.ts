import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Registry } from '../../src/registry/registry-api.js';
import { sharedSrtEngine } from '../../src/srt/index.js';
import { testRoute } from '../support/memory-registry.js';
import type { NatsServer } from '../support/nats.js';
import { waitFor } from '../support/peers.js';
import {
  type PushTestBed,
  type RelayCollector,
  type SrtReplica,
  startPushTestBed,
  startSrtReplica,
} from '../support/push-harness.js';
import type { TestSealing } from '../support/push-sealing.js';

// An SRT caller that completes the handshake and then sends nothing keeps its link alive with
// keepalives; unless the listener drops it, it holds the stream's active mark forever and its
// encoder's reconnect would be refused as a conflict.

const PASSPHRASE = 'quiet-caller-passphrase';

let bed: PushTestBed;
let nats: NatsServer;
let registry: Registry;
let replica: SrtReplica;
let relays: RelayCollector;
let sealing: TestSealing;

before(async () => {
  bed = await startPushTestBed();
  ({ nats, sealing, registry, relays } = bed);
  replica = await startSrtReplica({
    natsUrl: nats.url,
    replica: 'replica-a',
    openSealed: sealing.open,
    silenceTimeoutMs: 1500,
  });
});

after(async () => {
  await replica?.stop();
  await bed?.stop();
});

test('an accepted SRT caller that sends nothing is disconnected and its mark released', async () => {
  await registry.register(testRoute('ns', 'quiet', { srt: { sealed: sealing.seal(PASSPHRASE) } }));
  await waitFor(() => replica.mirror.route('ns/quiet') !== undefined, 'ns/quiet in the mirror');
  await replica.server.refresh();
  const caller = await sharedSrtEngine().connect(
    { family: 4, address: '127.0.0.1', port: replica.port },
    { connectTimeoutMs: 5000, streamId: 'ns/quiet', passphrase: PASSPHRASE },
  );
  let closedByPeer = false;
  caller.onClose = () => {
    closedByPeer = true;
  };
  try {
    await waitFor(() => relays.sessions('ns/quiet').length === 1, 'the publisher admitted');
    const session = relays.sessions('ns/quiet')[0]!;
    await waitFor(() => session.ended() !== undefined, 'the session ended by the listener', 15_000);
    assert.match(session.ended() ?? '', /sent nothing/);
    await waitFor(() => closedByPeer, 'the caller disconnected', 15_000);
    await waitFor(() => replica.mirror.active('ns/quiet') === undefined, 'the mark released');
  } finally {
    caller.close();
  }
});
