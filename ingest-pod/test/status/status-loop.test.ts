import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { it } from 'node:test';
import type { FailoverView } from '../../src/failover/failover-view.js';
import { MediaTracker } from '../../src/media-stats/media-tracker.js';
import { composeStatusDocument, type StatusDocument, startStatusLoop } from '../../src/status/index.js';

function setup() {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const media = new MediaTracker({ inputCount: 1, now: clock.now });
  const failover: FailoverView = {
    activeInput: null,
    live: false,
    overrideInput: null,
    exhausted: false,
    switching: null,
    inputs: [
      {
        priority: 0,
        state: 'standby',
        lastPacketTime: null,
        degradedSince: null,
        nextProbeAt: null,
        errors: [],
      },
    ],
    switches: [],
  };
  const compose = () =>
    composeStatusDocument({
      stream: { namespace: 'ns', name: 's' },
      at: clock.now(),
      failover: structuredClone(failover),
      media: media.measure(),
      urls: ['udp://239.0.0.1:5000'],
      configGeneration: 1,
    });
  const published: StatusDocument[] = [];
  return { clock, media, failover, compose, published };
}

const packet = (bytes: number) => ({
  codec: 'h264' as const,
  trackId: 256,
  pts: 0,
  dts: 0,
  key: false,
  data: new Uint8Array(bytes),
});

it('publishes at start, on a meaningful change, and after the interval even without one', (t) => {
  const { clock, media, failover, compose, published } = setup();
  const loop = startStatusLoop({
    compose,
    publish: (document) => published.push(document),
    intervalMs: 5000,
    checkMs: 60_000,
    now: clock.now,
  });
  t.after(() => loop.stop());
  assert.equal(published.length, 1, 'first document at start');

  loop.poke();
  assert.equal(published.length, 1, 'nothing changed');

  failover.activeInput = 0;
  loop.poke();
  assert.equal(published.length, 2, 'active input changed');
  assert.equal(published[1]!.activeInput, 0);

  media.recordPackets(0, [packet(1000)]);
  loop.poke();
  assert.equal(published.length, 3, 'a new track');
  clock.advance(1000);
  loop.poke();
  assert.equal(published.length, 4, 'the input delivers: its bitrate became measurable');
  media.recordPackets(0, [packet(9000)]);
  clock.advance(1000);
  loop.poke();
  assert.equal(published.length, 4, 'bitrate wobble waits for the interval');

  clock.advance(3999);
  media.recordPackets(0, [packet(5000)]);
  loop.poke();
  assert.equal(published.length, 4, 'interval not reached');
  clock.advance(1);
  loop.poke();
  assert.equal(published.length, 5, 'interval reached');

  loop.publishNow();
  assert.equal(published.length, 6);
  loop.poke();
  assert.equal(published.length, 6, 'publishNow is the baseline for the next change');
});

it('runs on its own timer until stopped', async () => {
  const { compose } = setup();
  const ticks = new EventEmitter();
  let count = 0;
  const loop = startStatusLoop({
    compose,
    publish: () => {
      count++;
      ticks.emit('published');
    },
    intervalMs: 1,
    checkMs: 1,
  });
  while (count < 3) await once(ticks, 'published');
  loop.stop();
  const stoppedAt = count;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(count, stoppedAt, 'no publication after stop');
});
