import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AVPacket, Codec } from '../../src/avpacket.js';
import { MediaTracker, SlidingRate } from '../../src/media-stats/index.js';

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
  return new MediaTracker({ inputCount, now: clock.now });
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

describe('MediaTracker', () => {
  it('measures per-track codec, details and bitrate, the input total and the last packet time', () => {
    const clock = fakeClock();
    const media = tracker(clock);
    media.setTracks(0, [
      { trackId: 256, codec: 'h264', width: 1920, height: 1080 },
      { trackId: 257, codec: 'aac', sampleRate: 48000, channels: 2 },
    ]);
    for (let i = 0; i < 100; i++) {
      media.recordPackets(0, [packet(256, 'h264', 5000), packet(257, 'aac', 400)]);
      clock.advance(50);
    }
    const measured = media.measure();
    const input = measured[0]!;
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
    assert.equal(media.lastPacketAt(0), T0 + 99 * 50);
    assert.equal(media.lastPacketAt(1), null);
    assert.deepEqual(measured[1], { bitrateKbps: 0, tracks: [], unknownStreams: [] });
    assert.deepEqual(JSON.parse(JSON.stringify(measured)), measured, 'JSON-serialisable');
  });

  it('ignores unknown priorities and keeps known inputs across a change of input count', () => {
    const media = tracker();
    media.recordPackets(5, [packet(256, 'h264', 10)]);
    media.recordUnknownStream(5, { pid: 300, streamType: 0x86 });
    media.recordUnknownStream(0, { pid: 300, streamType: 0x86 });
    media.setInputCount(3);
    const measured = media.measure();
    assert.equal(measured.length, 3);
    assert.deepEqual(measured[0]!.unknownStreams, [{ pid: 300, streamType: 0x86 }]);
    assert.equal(media.lastPacketAt(5), null);
    media.setInputCount(1);
    assert.equal(media.measure().length, 1);
  });

  it('reports link statistics in kbit/s and whole numbers until the link is gone', () => {
    const media = tracker();
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
    media.setLink(0, stats);
    assert.deepEqual(media.measure()[0]?.link, {
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
    assert.equal('link' in media.measure()[1]!, false, 'inputs without a link have none');
    media.setLink(0, undefined);
    assert.equal(media.measure()[0]?.link, undefined);
    media.setLink(0, stats);
    media.clearTracks(0);
    assert.equal(media.measure()[0]?.link, undefined, 'a new source starts without the old link');
  });

  it('clearTracks forgets tracks and unknown streams; a codec change on a track id starts over', () => {
    const clock = fakeClock();
    const media = tracker(clock);
    media.setTracks(0, [{ trackId: 256, codec: 'h264', width: 640, height: 360 }]);
    media.recordPackets(0, [packet(256, 'h265', 100)]);
    assert.deepEqual(
      media.measure()[0]!.tracks.map((t) => [t.codec, t.width]),
      [['h265', undefined]],
    );
    media.recordUnknownStream(0, { pid: 1, streamType: 2 });
    media.clearTracks(0);
    const input = media.measure()[0]!;
    assert.deepEqual([input.tracks, input.unknownStreams], [[], []]);
  });
});
