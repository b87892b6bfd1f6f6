import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { type Amf0Value, encodeAmf0 } from '../../../src/amf0/amf0.js';
import { chunk, concatBytes, setChunkSize } from '../../rtmp/chunk-bytes.js';
import type { FakePublisher } from '../../support/fake-push-gate.js';
import { LIVE_H264_AAC } from '../../support/media.js';
import { type FfmpegProcess, spawnFfmpeg, waitFor } from '../../support/peers.js';
import { openRtmpHandshake, publishCommandBytes } from '../../support/rtmp-publish-attempt.js';
import { type Harness, startHarness } from './harness.js';

// Hostile bytes against the listener while a real encoder streams through it. node-media-server's
// parser throws on some of them (zero-length control messages, AMF it cannot decode, connect
// without tcUrl, publish without a name); each throw must cost one connection, nothing more.

let h: Harness;
let encoder: FfmpegProcess;
let live: FakePublisher;
/** node-media-server prints through console.log unless its logger is tamed: count what gets out. */
const consoleLog = console.log;
let printed = 0;

before(async () => {
  console.log = (...args: unknown[]) => {
    printed++;
    consoleLog(...args);
  };
  h = await startHarness({ 'ns/live': 'k-live', 'ns/news': 'k-news' }, { idleTimeoutMs: 5000 });
  encoder = spawnFfmpeg([...LIVE_H264_AAC, '-f', 'flv', h.url('ns/live?key=k-live')]);
  await waitFor(() => (h.gate.publisherOf('ns/live')?.relayedBytes ?? 0) > 0, 'the live encoder admitted');
  live = h.gate.publisherOf('ns/live')!;
});
after(async () => {
  console.log = consoleLog;
  await encoder?.stop();
  await h?.stop();
});

/** Sends `bytes` on a fresh connection, then FIN; resolves once the server has closed it too. */
async function sendAndClose(bytes: Uint8Array, handshake: boolean): Promise<void> {
  const socket = handshake ? await openRtmpHandshake(h.server.port) : net.connect(h.server.port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.resume();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.end(bytes);
  await closed;
}

async function assertLiveUnaffected(): Promise<void> {
  const bytes = live.relayedBytes;
  await waitFor(() => live.relayedBytes > bytes, 'the live publisher to keep relaying');
  assert.equal(live.ended, false);
  assert.ok(h.server.publishers >= 1);
}

const amfValue: fc.Arbitrary<Amf0Value> = fc.letrec<{ value: Amf0Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.double(),
    fc.boolean(),
    fc.string({ maxLength: 20 }),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A command with a real name and random arguments: reaches connect/publish/play handlers. */
const command = fc
  .record({
    name: fc.constantFrom('connect', 'createStream', 'publish', 'play', 'deleteStream', 'FCPublish', 'x'),
    args: fc.array(amfValue, { maxLength: 5 }),
    cut: fc.nat({ max: 40 }),
  })
  .map(({ name, args, cut }) => {
    const payload = encodeAmf0([name, ...args]);
    const body = cut > 0 ? payload.subarray(0, Math.max(1, payload.length - cut)) : payload;
    return chunk({ fmt: 0, csid: 3, typeId: 20, streamId: 0, length: body.length }, body.subarray(0, 300));
  });

const rawChunk = fc
  .record({
    fmt: fc.constantFrom(0, 1, 2, 3),
    csid: fc.oneof(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 2, max: 65599 })),
    time: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(0xffffff), fc.nat()),
    length: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 0xffffff })),
    typeId: fc.oneof(
      fc.constantFrom(1, 2, 3, 4, 5, 6, 8, 9, 15, 17, 18, 20, 22),
      fc.integer({ min: 0, max: 255 }),
    ),
    payload: fc.uint8Array({ maxLength: 200 }),
  })
  .map(({ payload, ...header }) => chunk(header as Parameters<typeof chunk>[0], payload));

const session = fc
  .array(fc.oneof(rawChunk, command, fc.uint8Array({ maxLength: 64 }), fc.nat().map(setChunkSize)), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => concatBytes(...parts));

test('garbage handshakes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.uint8Array({ maxLength: 4000 }), fc.uint8Array({ minLength: 1537, maxLength: 3300 })),
      (bytes) => sendAndClose(bytes, false),
    ),
    { numRuns: 120 },
  );
  await assertLiveUnaffected();
  assert.equal(printed, 0, 'nothing printed to the console');
});

test('random bytes after a valid handshake', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4000 }), (bytes) => sendAndClose(bytes, true)),
    { numRuns: 120 },
  );
  await assertLiveUnaffected();
  assert.equal(printed, 0, 'nothing printed to the console');
});

test('half-valid chunk streams and commands, before and after a publish', async () => {
  await fc.assert(
    fc.asyncProperty(session, fc.boolean(), async (bytes, publishFirst) => {
      const prefix = publishFirst ? publishCommandBytes('ns', 'news?key=wrong') : new Uint8Array(0);
      await sendAndClose(concatBytes(prefix, bytes), true);
    }),
    { numRuns: 200 },
  );
  await assertLiveUnaffected();
  assert.equal(printed, 0, 'nothing printed to the console');
});

test('known parser crashers each close their own connection', async () => {
  const before = process.memoryUsage().arrayBuffers;
  const cases: Record<string, Uint8Array> = {
    'zero-length set chunk size': concatBytes(
      chunk({ fmt: 0, csid: 2, typeId: 1, length: 0, streamId: 0 }),
      Uint8Array.of(0xc2),
    ),
    'zero-length window ack size': concatBytes(
      chunk({ fmt: 0, csid: 2, typeId: 5, length: 0, streamId: 0 }),
      Uint8Array.of(0xc2),
    ),
    'zero-length video': concatBytes(chunk({ fmt: 0, csid: 6, typeId: 9, length: 0 }), Uint8Array.of(0xc6)),
    'connect without tcUrl': chunk(
      { fmt: 0, csid: 3, typeId: 20, streamId: 0 },
      encodeAmf0(['connect', 1, { app: 'ns' }]),
    ),
    'connect without an object': chunk(
      { fmt: 0, csid: 3, typeId: 20, streamId: 0 },
      encodeAmf0(['connect', 1]),
    ),
    'publish without a name': chunk(
      { fmt: 0, csid: 3, typeId: 20, streamId: 1 },
      encodeAmf0(['publish', 0, null]),
    ),
    'undecodable AMF marker': chunk(
      { fmt: 0, csid: 3, typeId: 20, streamId: 0 },
      Uint8Array.of(0x02, 0, 7, 0x63, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x44),
    ),
    'memory bomb: 16 MiB declared on 60 chunk streams': concatBytes(
      ...Array.from({ length: 60 }, (_, i) =>
        chunk({ fmt: 0, csid: 10 + i, typeId: 9, length: 0xffffff }, Uint8Array.of(0x17)),
      ),
    ),
    'chunk stream id flood': concatBytes(
      setChunkSize(1),
      ...Array.from({ length: 200 }, (_, i) =>
        chunk({ fmt: 0, csid: 64 + i, typeId: 8, length: 2 }, Uint8Array.of(0xaf)),
      ),
    ),
    'chunk size 0 then data': concatBytes(
      setChunkSize(0),
      chunk({ fmt: 0, csid: 6, typeId: 9, length: 10 }, new Uint8Array(10)),
    ),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    await sendAndClose(bytes, true);
    await sendAndClose(concatBytes(publishCommandBytes('ns', 'news?key=wrong'), bytes), true);
    assert.ok(h.server.publishers === 1, `${name}: only the live publisher`);
  }
  assert.ok(process.memoryUsage().arrayBuffers - before < 100 * 1024 * 1024, 'no runaway allocation');
  const errors = h.logLines.filter((l) => l.includes('rtmp protocol error'));
  assert.ok(errors.length >= 8, `the throws were contained and logged (${errors.length})`);
  assert.ok(
    errors.every((l) => /"peer":"127\.0\.0\.1:\d+"/.test(l)),
    'with the peer',
  );
  await assertLiveUnaffected();
  assert.equal(printed, 0, 'nothing printed to the console');
});
