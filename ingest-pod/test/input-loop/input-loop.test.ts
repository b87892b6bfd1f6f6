import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startInputLoop } from '../../src/input-loop/input-loop.js';
import type { InputLoopDeps, InputLoopEvent, PacketBatch } from '../../src/input-loop/input-loop-api.js';
import { HttpStatusError } from '../../src/reader/http-get.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import type { InputReader } from '../../src/reader/reader-api.js';
import { FakeClock, settle } from './fake-clock.js';
import { packets, ScriptedReader } from './scripted-reader.js';

const input = { url: 'udp://127.0.0.1:5000', priority: 0 };

/** An input loop over scripted readers: `readers` are handed out in order, one per open attempt. */
function harness(readers: (ScriptedReader | Error)[], extra: Partial<InputLoopDeps> = {}) {
  const clock = new FakeClock();
  const events: InputLoopEvent[] = [];
  const batches: PacketBatch[] = [];
  let created = 0;
  const handle = startInputLoop(input, {
    createReader: () => {
      const next = readers[created++];
      if (next === undefined) throw new Error('test ran out of readers');
      if (next instanceof Error) throw next;
      return next;
    },
    onPackets: (batch) => void batches.push(batch),
    onEvent: (event) => events.push(event),
    clock,
    ...extra,
  });
  return { clock, events, batches, handle, created: () => created };
}

const types = (events: InputLoopEvent[]) => events.map((e) => e.type);

test('open failures back off 1, 2, 4, 8, 10, 10 s and report on the first and at the cap', async () => {
  const failing = Array.from({ length: 6 }, () => new ScriptedReader(new Error('connect ECONNREFUSED')));
  const good = new ScriptedReader();
  const h = harness([...failing, good, new ScriptedReader()]);
  const delays = [1000, 2000, 4000, 8000, 10_000, 10_000];
  for (const [i, delay] of delays.entries()) {
    await h.clock.advance(0);
    assert.equal(h.created(), i + 1);
    await h.clock.advance(delay - 1);
    assert.equal(h.created(), i + 1, `reopened before ${delay} ms`);
    await h.clock.advance(1);
  }
  assert.equal(h.created(), 7);
  assert.ok(good.opened);
  const reconnecting = h.events.filter((e) => e.type === 'input.reconnecting');
  assert.deepEqual(
    reconnecting.map((e) => (e.type === 'input.reconnecting' ? [e.attempt, e.delayMs] : [])),
    delays.map((d, i) => [i + 1, d]),
  );
  assert.deepEqual(
    h.events.filter((e) => e.type === 'input.error'),
    [1, 2, 3].map(() => ({ type: 'input.error', error: 'connect ECONNREFUSED', permanent: false })),
    'reported on attempt 1 and on the two attempts at the 10 s cap',
  );
  assert.deepEqual(h.events.at(-1), { type: 'input.connected', session: 1, reconnect: false });
  good.step(new Error('read ECONNRESET'));
  await h.clock.advance(0);
  assert.deepEqual(
    h.events.at(-1),
    { type: 'input.reconnecting', error: 'read ECONNRESET', attempt: 1, delayMs: 1000 },
    'the good open reset the backoff',
  );
  await h.handle.stop();
  assert.deepEqual(await h.handle.done, { reason: 'stopped' });
});

test('sessions: the first batch of every open is flagged', async () => {
  const first = new ScriptedReader();
  const second = new ScriptedReader();
  const h = harness([first, second]);
  await h.clock.advance(0);
  first.step(packets(2));
  first.step(packets(1));
  first.step(new Error('socket hang up'));
  await h.clock.advance(0);
  assert.ok(first.closed);
  assert.deepEqual(h.events.at(-1), {
    type: 'input.reconnecting',
    error: 'socket hang up',
    attempt: 1,
    delayMs: 1000,
  });
  await h.clock.advance(1000);
  second.step(packets(3));
  await h.clock.advance(0);
  assert.deepEqual(
    h.batches.map((b) => [b.packets.length, b.session, b.sessionStart, b.reason]),
    [
      [2, 1, true, 'open'],
      [1, 1, false, 'open'],
      [3, 2, true, 'reconnect'],
    ],
  );
  assert.deepEqual(types(h.events), ['input.connected', 'input.reconnecting', 'input.connected']);
  await h.handle.stop();
});

test('end of stream ends the input loop and is reported, not retried', async () => {
  const reader = new ScriptedReader();
  const h = harness([reader]);
  await h.clock.advance(0);
  reader.step(packets(1));
  reader.step(null);
  assert.deepEqual(await h.handle.done, { reason: 'ended' });
  assert.deepEqual(types(h.events), ['input.connected', 'input.ended']);
  assert.equal(h.created(), 1);
  assert.ok(reader.closed);
});

test('permanent failures end the input loop: at open, at read, and from the factory', async () => {
  const tls = new ScriptedReader(
    new ReaderError('TLS error for https://cdn/x.ts: self-signed certificate', false),
  );
  const a = harness([tls]);
  assert.deepEqual(await a.handle.done, {
    reason: 'failed',
    error: 'TLS error for https://cdn/x.ts: self-signed certificate',
  });
  assert.deepEqual(a.events, [
    {
      type: 'input.error',
      error: 'TLS error for https://cdn/x.ts: self-signed certificate',
      permanent: true,
    },
  ]);

  const reader = new ScriptedReader();
  const b = harness([reader]);
  await b.clock.advance(0);
  reader.step(new HttpStatusError(404, 'Not Found', 'http://cdn/x.m3u8?token=1'));
  assert.deepEqual(await b.handle.done, {
    reason: 'failed',
    error: 'HTTP 404 Not Found from http://cdn/x.m3u8?token=***',
  });
  assert.equal(b.created(), 1);

  const dns = Object.assign(new Error('getaddrinfo ENOTFOUND cdn'), { code: 'ENOTFOUND' });
  const c = harness([new ScriptedReader(dns)]);
  assert.equal((await c.handle.done).reason, 'failed');

  const d = harness([new ReaderError('srt inputs are not supported yet (srt://x:1)', false)]);
  assert.deepEqual(await d.handle.done, {
    reason: 'failed',
    error: 'srt inputs are not supported yet (srt://x:1)',
  });
});

test('stall watchdog: one stalled event per silence; the next batch starts a new session', async () => {
  const reader = new ScriptedReader();
  const h = harness([reader]);
  await h.clock.advance(0);
  reader.step(packets(1));
  await h.clock.advance(1999);
  assert.ok(!types(h.events).includes('stalled'));
  await h.clock.advance(1);
  await h.clock.advance(30_000);
  assert.deepEqual(
    h.events.filter((e) => e.type === 'stalled'),
    [{ type: 'stalled', silentMs: 2000 }],
  );
  reader.step(packets(1));
  reader.step(packets(1));
  await h.clock.advance(0);
  assert.deepEqual(
    h.batches.map((b) => [b.session, b.sessionStart, b.reason]),
    [
      [1, true, 'open'],
      [2, true, 'stall'],
      [2, false, 'stall'],
    ],
  );
  await h.handle.stop();
});

test("the reader's stall hint (HLS: three target durations) replaces the 2 s default", async () => {
  const reader = new ScriptedReader();
  reader.stallTimeoutMs = 6000;
  const h = harness([reader]);
  await h.clock.advance(5999);
  assert.ok(!types(h.events).includes('stalled'));
  await h.clock.advance(1);
  assert.deepEqual(h.events.at(-1), { type: 'stalled', silentMs: 6000 });
  await h.handle.stop();
  const forced = new ScriptedReader();
  forced.stallTimeoutMs = 6000;
  const g = harness([forced], { stallTimeoutMs: 500 });
  await g.clock.advance(500);
  assert.deepEqual(g.events.at(-1), { type: 'stalled', silentMs: 500 });
  await g.handle.stop();
});

test('stop: during a read closes the reader; during the backoff returns at once', async () => {
  const reader = new ScriptedReader();
  const a = harness([reader]);
  await a.clock.advance(0);
  assert.ok(reader.reading);
  await a.handle.stop();
  assert.ok(reader.closed);
  assert.deepEqual(await a.handle.done, { reason: 'stopped' });
  assert.equal(a.clock.pending, 0, 'no timer left behind');

  const b = harness([new ScriptedReader(new Error('refused'))]);
  await b.clock.advance(0);
  await b.handle.stop();
  assert.deepEqual(await b.handle.done, { reason: 'stopped' });
  assert.equal(b.created(), 1);
});

test('session ids can come from the input manager; reader events are forwarded', async () => {
  let next = 40;
  const reader = new ScriptedReader();
  const events: InputLoopEvent[] = [];
  const clock = new FakeClock();
  const handle = startInputLoop(input, {
    createReader: (_input, context) => {
      context.onEvent?.({ type: 'segments-missed', count: 2 });
      return reader as InputReader;
    },
    onPackets: () => undefined,
    onEvent: (e) => events.push(e),
    nextSessionId: () => ++next,
    clock,
  });
  await settle();
  assert.deepEqual(events, [
    { type: 'reader', event: { type: 'segments-missed', count: 2 } },
    { type: 'input.connected', session: 41, reconnect: false },
  ]);
  assert.equal(handle.reader, reader);
  await handle.stop();
});

test('a failure that says the source is already there (reopenAtOnce) is reopened without backoff', async () => {
  const first = new ScriptedReader();
  const second = new ScriptedReader();
  const h = harness([first, second]);
  await h.clock.advance(0);
  first.step(packets(1));
  first.step(
    new ReaderError('pusher disconnected: replaced by publisher session 7', true, { reopenAtOnce: true }),
  );
  await h.clock.advance(0);
  assert.equal(h.created(), 2, 'reopened with no time passing');
  assert.ok(second.opened);
  const reconnecting = h.events.find((e) => e.type === 'input.reconnecting');
  assert.equal(reconnecting?.type === 'input.reconnecting' && reconnecting.delayMs, 0);
  second.step(new ReaderError('pusher disconnected: publisher disconnected', true));
  await h.clock.advance(0);
  assert.equal(h.created(), 2, 'an ordinary disconnect still backs off');
  await h.handle.stop();
});
