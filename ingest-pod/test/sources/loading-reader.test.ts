import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import type { InputReader } from '../../src/reader/reader-api.js';
import { LoadingReader } from '../../src/sources/loading-reader.js';

function fakeReader(packets: AVPacket[][]): InputReader & { closed: boolean } {
  return {
    tracks: [],
    counters: { bytes: 7, tsPackets: 0, ccErrors: 0, unknownStreams: 0 },
    closed: false,
    async open() {},
    async read() {
      return packets.shift() ?? null;
    },
    async close() {
      this.closed = true;
    },
  };
}

test('loads on the first open only, then is the loaded reader', async () => {
  let loads = 0;
  const inner = fakeReader([[{ trackId: 1 } as AVPacket]]);
  const reader = new LoadingReader(async () => {
    loads++;
    return inner;
  });
  assert.equal(reader.counters.bytes, 0, 'nothing counted before it loads');
  assert.equal(loads, 0, 'building it loads nothing');
  await reader.open(new AbortController().signal);
  await reader.open(new AbortController().signal);
  assert.equal(loads, 1);
  assert.equal(reader.counters.bytes, 7);
  assert.equal((await reader.read())?.length, 1);
  assert.equal(await reader.read(), null);
  await reader.close();
  assert.ok(inner.closed);
});

test('a module that fails to load is a permanent reader error; a reader error passes as it is', async () => {
  const broken = new LoadingReader(() => Promise.reject(new Error('Cannot find module ./chunks/rtsp.mjs')));
  await assert.rejects(
    broken.open(new AbortController().signal),
    (err: unknown) =>
      err instanceof ReaderError && !err.retriable && /cannot load the reader/.test(err.message),
  );
  const refused = new ReaderError('rtsp: 404', false);
  await assert.rejects(
    new LoadingReader(() => Promise.reject(refused)).open(new AbortController().signal),
    refused,
  );
  await new LoadingReader(() => Promise.reject(refused)).close(); // closing an unloaded reader is a no-op
});
