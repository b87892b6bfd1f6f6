import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type {
  Admission,
  PublishAttempt,
  Publisher,
  PushGate,
} from '../../src/push-listener/push-gate-api.js';
import { SrtPublishServer } from '../../src/push-listener/srt/srt-publish-server.js';
import { type SrtConnection, sharedSrtEngine } from '../../src/srt/srt-engine.js';
import { makeTsFile } from '../support/media.js';
import { MemoryRegistry, testRoute } from '../support/memory-registry.js';
import { concat, makeTempDir, type TempDir, waitFor } from '../support/peers.js';
import { sendPaced, srtLiveTransmit } from '../support/srt-publish-peers.js';

// The SRT server around the gate, with a gate the test controls: what happens while and after the
// gate decides. Real libsrt callers; no NATS.

const PASSPHRASE = 'server-test-passphrase';

let dir: TempDir;
let file: string;
before(async () => {
  dir = await makeTempDir();
  file = await makeTsFile(dir.path, { seconds: 1 });
});
after(() => dir.remove());

/** A gate whose admissions wait until the test settles them. */
function heldGate() {
  const attempts: { attempt: PublishAttempt; settle: (admission: Admission) => void }[] = [];
  const gate: PushGate = {
    admit: (attempt) => new Promise((settle) => attempts.push({ attempt, settle })),
    refused: () => undefined,
  };
  return { gate, attempts };
}

function recordingPublisher(route: string) {
  const chunks: Uint8Array[] = [];
  const ended: string[] = [];
  const publisher: Publisher = {
    route,
    session: 7,
    relay: (bytes) => chunks.push(bytes),
    end: (reason) => ended.push(reason),
    onRevoked: () => undefined,
  };
  return { publisher, chunks, ended };
}

async function startServer(gate: PushGate) {
  const registry = new MemoryRegistry();
  await registry.register(testRoute('ns', 'cam', { srt: { sealed: 'sealed-for-test' } }));
  const mirror = await registry.mirror();
  const server = new SrtPublishServer({
    host: '127.0.0.1',
    port: 0,
    gate,
    mirror,
    replica: 'r1',
    openSealed: (sealed) => (sealed === 'sealed-for-test' ? PASSPHRASE : 'other'),
    log: pino({ level: 'silent' }),
  });
  await server.start();
  return server;
}

test('bytes sent while the gate decides are held and relayed in order once admitted', async () => {
  const { gate, attempts } = heldGate();
  const server = await startServer(gate);
  const peer = await srtLiveTransmit(server.port, 'ns/cam', PASSPHRASE);
  try {
    await waitFor(() => attempts.length === 1, 'the admission request');
    assert.deepEqual({ ...attempts[0]?.attempt, peer: '' }, { protocol: 'srt', route: 'ns/cam', peer: '' });
    const data = await readFile(file);
    await sendPaced(data, peer.udpPort);
    const relay = recordingPublisher('ns/cam');
    attempts[0]?.settle({ ok: true, publisher: relay.publisher });
    await waitFor(() => concat(relay.chunks).length >= data.length, 'every byte relayed');
    assert.ok(concat(relay.chunks).equals(data));
    await peer.stop();
    await waitFor(() => relay.ended.length === 1, 'the publisher ended');
    assert.deepEqual(relay.ended, ['publisher disconnected']);
  } finally {
    await peer.stop();
    server.close();
  }
});

test('a caller whose admission fails after the handshake (lost race for the mark) is disconnected', async () => {
  const { gate, attempts } = heldGate();
  const server = await startServer(gate);
  let caller: SrtConnection | undefined;
  try {
    caller = await sharedSrtEngine().connect(
      { family: 4, address: '127.0.0.1', port: server.port },
      { streamId: '#!::r=ns/cam,m=publish', passphrase: PASSPHRASE },
    );
    let closed = false;
    caller.onClose = () => {
      closed = true;
    };
    await waitFor(() => attempts.length === 1, 'the admission request');
    assert.equal(server.connected, 1);
    attempts[0]?.settle({ ok: false, reason: 'conflict', detail: 'taken on another replica' });
    await waitFor(() => closed, 'the caller disconnected');
    assert.equal(server.connected, 0);
  } finally {
    caller?.close();
    server.close();
  }
});
