import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formatSeconds,
  MONITOR_TICK_MS,
  PROTOCOL_TIMING_DEFAULTS,
  resolveTimings,
} from '../../src/failover/timings.js';
import type { FailoverOverrides, InputProtocol } from '../../src/failover/types.js';

describe('failover timings', () => {
  const continuous: InputProtocol[] = ['udp', 'srt', 'rtmp', 'rtsp', 'http-ts', 'file', 'copy', 'publish'];

  test('every protocol has defaults', () => {
    assert.deepEqual(Object.keys(PROTOCOL_TIMING_DEFAULTS).sort(), [...continuous, 'hls'].sort());
  });

  for (const protocol of continuous) {
    test(`${protocol}: a 30 fps source is lost after 1 s, probed for 3 s every 8 s, failback hold-down 12 s`, () => {
      assert.deepEqual(resolveTimings(protocol, {}, null), {
        packetTimeoutMs: 1000,
        probeAfterMs: 8000,
        probeTimeoutMs: 3000,
        failbackHoldDownMs: 12_000,
      });
    });
  }

  const hls: { targetDurationMs: number | null; packetTimeoutMs: number; probeTimeoutMs: number }[] = [
    { targetDurationMs: null, packetTimeoutMs: 9000, probeTimeoutMs: 12_000 },
    { targetDurationMs: 2000, packetTimeoutMs: 3000, probeTimeoutMs: 4000 },
    { targetDurationMs: 1000, packetTimeoutMs: 1500, probeTimeoutMs: 3000 },
    { targetDurationMs: 10_000, packetTimeoutMs: 15_000, probeTimeoutMs: 20_000 },
  ];
  for (const row of hls) {
    test(`hls with target duration ${row.targetDurationMs ?? 'unknown'}: 1.5 and 2 target durations`, () => {
      const timings = resolveTimings('hls', {}, row.targetDurationMs);
      assert.equal(timings.packetTimeoutMs, row.packetTimeoutMs);
      assert.equal(timings.probeTimeoutMs, row.probeTimeoutMs);
    });
  }

  const overrides: {
    name: string;
    overrides: FailoverOverrides;
    expect: Partial<ReturnType<typeof resolveTimings>>;
  }[] = [
    {
      name: 'all four given',
      overrides: {
        packetTimeoutMs: 500,
        probeAfterMs: 2000,
        probeTimeoutMs: 700,
        failbackHoldDownMs: 60_000,
      },
      expect: { packetTimeoutMs: 500, probeAfterMs: 2000, probeTimeoutMs: 700, failbackHoldDownMs: 60_000 },
    },
    { name: 'zero falls back', overrides: { packetTimeoutMs: 0 }, expect: { packetTimeoutMs: 9000 } },
    { name: 'negative falls back', overrides: { probeTimeoutMs: -1 }, expect: { probeTimeoutMs: 12_000 } },
    { name: 'NaN falls back', overrides: { probeAfterMs: Number.NaN }, expect: { probeAfterMs: 8000 } },
  ];
  for (const row of overrides) {
    test(`spec.failover overrides win over the hls defaults: ${row.name}`, () => {
      const timings = resolveTimings('hls', row.overrides, null);
      for (const [key, value] of Object.entries(row.expect)) {
        assert.equal(timings[key as keyof typeof timings], value, key);
      }
    });
  }

  test('the monitor ticks four times a second', () => {
    assert.equal(MONITOR_TICK_MS, 250);
  });

  for (const [ms, text] of [
    [1000, '1 s'],
    [1250, '1.3 s'],
    [9000, '9 s'],
    [120, '0.1 s'],
  ] as const) {
    test(`formatSeconds(${ms}) = ${text}`, () => assert.equal(formatSeconds(ms), text));
  }
});

describe('failover timings are clamped into their ranges', () => {
  test('overrides below the floors and above the ceilings are pulled into range', () => {
    const low = resolveTimings(
      'udp',
      { packetTimeoutMs: 1, probeAfterMs: 1, probeTimeoutMs: 1, failbackHoldDownMs: 1 },
      null,
    );
    assert.deepEqual(low, {
      packetTimeoutMs: 200,
      probeAfterMs: 1000,
      probeTimeoutMs: 500,
      failbackHoldDownMs: 1000,
    });
    const high = resolveTimings(
      'udp',
      { packetTimeoutMs: 1e12, probeAfterMs: 1e12, probeTimeoutMs: 1e12, failbackHoldDownMs: 1e12 },
      null,
    );
    assert.deepEqual(high, {
      packetTimeoutMs: 60_000,
      probeAfterMs: 3_600_000,
      probeTimeoutMs: 300_000,
      failbackHoldDownMs: 3_600_000,
    });
  });

  test('in-range overrides are kept as given', () => {
    const t = resolveTimings('udp', { packetTimeoutMs: 750, probeAfterMs: 90_000 }, null);
    assert.equal(t.packetTimeoutMs, 750);
    assert.equal(t.probeAfterMs, 90_000);
  });

  test('a hostile HLS target duration (10^6 s) counts as 60 s', () => {
    const t = resolveTimings('hls', {}, 1e9);
    assert.equal(t.packetTimeoutMs, 90_000);
    assert.equal(t.probeTimeoutMs, 120_000);
  });
});
