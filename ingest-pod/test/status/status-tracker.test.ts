import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AVPacket, Codec } from '../../src/avpacket.js';
import { SlidingRate, StatusTracker } from '../../src/status/index.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function fakeClock(start = T0) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function packet(trackId: number, codec: Codec, bytes: number): AVPacket {
  return { codec, trackId, pts: 0, dts: 0, key: false, data: new Uint8Array(bytes) };
}

function tracker(clock = fakeClock(), inputCount = 2) {
  return new StatusTracker({ stream: { namespace: 'default', name: 'news' }, inputCount, now: clock.now });
}

describe('SlidingRate', () => {
  it('reports a steady rate, then decays to zero once the window has passed', () => {
    const clock = fakeClock();
    const rate = new SlidingRate(5000, 1000);
    // 1 Mbit/s: 1250 bytes every 10 ms for 8 s.
    for (let t = 0; t < 8000; t += 10) {
      rate.add(clock.now(), 1250);
      clock.advance(10);
    }
    assert.ok(Math.abs(rate.kbps(clock.now()) - 1000) <= 10, String(rate.kbps(clock.now())));
    clock.advance(6000);
    assert.equal(rate.kbps(clock.now()), 0);
  });

  it('reports nothing until one slot has passed since the first byte', () => {
    const clock = fakeClock();
    const rate = new SlidingRate(5000, 1000);
    rate.add(clock.now(), 50_000);
    clock.advance(100);
    assert.equal(rate.kbps(clock.now()), 0);
    rate.add(clock.now(), 75_000);
    clock.advance(900);
    assert.equal(rate.kbps(clock.now()), 1000);
  });

  it('divides by the time since the first byte when that is shorter than the window', () => {
    const clock = fakeClock();
    const rate = new SlidingRate(5000, 1000);
    rate.add(clock.now(), 250_000);
    clock.advance(2000);
    assert.equal(rate.kbps(clock.now()), 1000);
  });
});

describe('StatusTracker', () => {
  it('reports per-track codec, details and bitrate, and the input total', () => {
    const clock = fakeClock();
    const status = tracker(clock);
    status.setTracks(0, [
      { trackId: 256, codec: 'h264', width: 1920, height: 1080 },
      { trackId: 257, codec: 'aac', sampleRate: 48000, channels: 2 },
    ]);
    for (let i = 0; i < 100; i++) {
      status.recordPackets(0, [packet(256, 'h264', 5000), packet(257, 'aac', 400)]);
      clock.advance(50);
    }
    const snapshot = status.snapshot();
    const input = snapshot.inputs[0]!;
    assert.deepEqual(
      input.tracks.map(({ bitrateKbps, ...rest }) => rest),
      [
        { trackId: 256, codec: 'h264', kind: 'video', width: 1920, height: 1080 },
        { trackId: 257, codec: 'aac', kind: 'audio', sampleRate: 48000, channels: 2 },
      ],
    );
    assert.equal(input.tracks[0]!.bitrateKbps, 800);
    assert.equal(input.tracks[1]!.bitrateKbps, 64);
    assert.equal(input.bitrateKbps, 864);
    assert.equal(input.lastPacketTime, new Date(T0 + 99 * 50).toISOString());
    assert.equal(snapshot.inputs[1]!.lastPacketTime, null);
    assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot, 'JSON-serialisable');
  });

  it('keeps the last 5 errors per input and the last 20 switches, newest first', () => {
    const clock = fakeClock();
    const status = tracker(clock);
    for (let i = 0; i < 7; i++) status.recordError(1, `error ${i}`, T0 + i);
    for (let i = 0; i < 25; i++)
      status.recordSwitch({ at: T0 + i, from: i % 2, to: (i + 1) % 2, reason: 'error' });
    const snapshot = status.snapshot();
    assert.deepEqual(
      snapshot.inputs[1]!.errors.map((e) => e.message),
      ['error 6', 'error 5', 'error 4', 'error 3', 'error 2'],
    );
    assert.equal(snapshot.inputs[1]!.errors[0]!.at, new Date(T0 + 6).toISOString());
    assert.equal(snapshot.switches.length, 20);
    assert.deepEqual(snapshot.switches[0], {
      at: new Date(T0 + 24).toISOString(),
      from: 0,
      to: 1,
      reason: 'error',
      detail: '',
    });
    status.clearErrors(1);
    assert.deepEqual(status.snapshot().inputs[1]!.errors, []);
  });

  it('changed() notices states, tracks, errors, switches and delivery starting or stopping, not wobble', () => {
    const clock = fakeClock();
    const status = tracker(clock);
    const steps: [string, () => void, boolean][] = [
      ['nothing', () => {}, false],
      ['active input', () => status.setActiveInput(0), true],
      ['input state', () => status.setInputState(0, 'active'), true],
      ['same state again', () => status.setInputState(0, 'active'), false],
      ['first packets', () => status.recordPackets(0, [packet(256, 'h264', 1000)]), true],
      ['more packets, other bitrate', () => status.recordPackets(0, [packet(256, 'h264', 9000)]), false],
      ['a second passes: the bitrate becomes measurable', () => clock.advance(1000), true],
      [
        'more packets, time passes within the window',
        () => {
          status.recordPackets(0, [packet(256, 'h264', 5000)]);
          clock.advance(1000);
        },
        false,
      ],
      [
        'track details',
        () => status.setTracks(0, [{ trackId: 256, codec: 'h264', width: 1280, height: 720 }]),
        true,
      ],
      ['new track', () => status.recordPackets(0, [packet(257, 'aac', 10)]), true],
      ['unknown stream', () => status.recordUnknownStream(0, { pid: 300, streamType: 0x86 }), true],
      ['error', () => status.recordError(1, 'connection refused'), true],
      ['switch', () => status.recordSwitch({ at: clock.now(), from: 0, to: 1, reason: 'timeout' }), true],
      ['exhausted', () => status.setExhausted(true), true],
      ['delivery stops (window passes)', () => clock.advance(10_000), true],
    ];
    status.snapshot();
    for (const [name, act, expected] of steps) {
      act();
      assert.equal(status.changed(), expected, name);
      status.snapshot();
    }
  });

  it('ignores unknown priorities and keeps known inputs across a change of input count', () => {
    const status = tracker();
    status.recordError(5, 'nope');
    status.setActiveInput(7);
    status.recordError(0, 'kept');
    status.setInputCount(3);
    const snapshot = status.snapshot();
    assert.equal(snapshot.activeInput, null);
    assert.equal(snapshot.inputs.length, 3);
    assert.equal(snapshot.inputs[0]!.errors[0]!.message, 'kept');
    assert.equal(snapshot.inputs[2]!.state, 'standby');
  });

  it('reports link statistics in kbit/s and whole numbers until the link is gone', () => {
    const t = tracker();
    const stats = {
      rttMs: 0.6,
      latencyMs: 120,
      bandwidthMbps: 912.3456,
      receiveRateMbps: 4.1234,
      receiveBufferMs: 118.4,
      packetsReceived: 5000,
      packetsLost: 12,
      packetsRetransmitted: 11,
      packetsDropped: 1,
    };
    t.setLink(0, stats);
    assert.deepEqual(t.snapshot().inputs[0]?.link, {
      rttMs: 1,
      latencyMs: 120,
      bandwidthKbps: 912346,
      receiveRateKbps: 4123,
      receiveBufferMs: 118,
      packetsReceived: 5000,
      packetsLost: 12,
      packetsRetransmitted: 11,
      packetsDropped: 1,
    });
    assert.equal(t.snapshot().inputs[1]?.link, undefined, 'inputs without a link have none');
    t.setLink(0, undefined);
    assert.equal(t.snapshot().inputs[0]?.link, undefined);
    t.setLink(0, stats);
    t.clearTracks(0);
    assert.equal(t.snapshot().inputs[0]?.link, undefined, 'a new source starts without the old link');
  });

  it('clearTracks forgets tracks and unknown streams; a codec change on a track id starts over', () => {
    const clock = fakeClock();
    const status = tracker(clock);
    status.setTracks(0, [{ trackId: 256, codec: 'h264', width: 640, height: 360 }]);
    status.recordPackets(0, [packet(256, 'h265', 100)]);
    assert.deepEqual(
      status.snapshot().inputs[0]!.tracks.map((t) => [t.codec, t.width]),
      [['h265', undefined]],
    );
    status.recordUnknownStream(0, { pid: 1, streamType: 2 });
    status.clearTracks(0);
    const input = status.snapshot().inputs[0]!;
    assert.deepEqual([input.tracks, input.unknownStreams], [[], []]);
  });
});
