import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FailoverView } from '../../src/failover/failover-view.js';
import type { InputMeasurements } from '../../src/media-stats/measurements.js';
import {
  changeSignature,
  composeStatusDocument,
  type StatusDocument,
} from '../../src/status/status-document.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function failover(): FailoverView {
  return {
    activeInput: 1,
    live: true,
    overrideInput: null,
    exhausted: false,
    switching: { to: 0, cause: 'failback', since: iso(T0 + 900) },
    inputs: [
      {
        priority: 0,
        state: 'probing',
        lastPacketTime: iso(T0 + 100),
        degradedSince: iso(T0 + 200),
        nextProbeAt: iso(T0 + 8200),
        errors: [{ message: 'eof', at: iso(T0 + 200) }],
      },
      {
        priority: 1,
        state: 'active',
        lastPacketTime: iso(T0 + 950),
        degradedSince: null,
        nextProbeAt: null,
        errors: [],
      },
    ],
    switches: [{ at: iso(T0 + 200), from: 0, to: 1, reason: 'error', detail: 'eof' }],
  };
}

function media(): InputMeasurements[] {
  return [
    {
      bitrateKbps: 0,
      tracks: [],
      unknownStreams: [{ pid: 300, streamType: 0x86 }],
      link: {
        rttMs: 1,
        latencyMs: 120,
        bandwidthKbps: 912346,
        receiveRateKbps: 0,
        receiveBufferMs: 118,
        packetsReceived: 5000,
        packetsLost: 12,
        packetsRetransmitted: 11,
        packetsDropped: 1,
      },
    },
    {
      bitrateKbps: 864,
      tracks: [
        { trackId: 256, codec: 'h264', width: 1920, height: 1080, kind: 'video', bitrateKbps: 800 },
        { trackId: 257, codec: 'aac', sampleRate: 48000, channels: 2, kind: 'audio', bitrateKbps: 64 },
      ],
      unknownStreams: [],
    },
  ];
}

function compose(overrides: { failover?: FailoverView; media?: InputMeasurements[]; urls?: string[] } = {}) {
  return composeStatusDocument({
    stream: { namespace: 'default', name: 'news' },
    at: T0 + 1000,
    failover: overrides.failover ?? failover(),
    media: overrides.media ?? media(),
    urls: overrides.urls ?? ['srt://a:9000?passphrase=***', 'udp://239.0.0.1:5000'],
    configGeneration: 3,
  });
}

describe('composeStatusDocument', () => {
  it('merges the failover view with the media measurements, fields in the published order', () => {
    // Compared as JSON text: the operator and the e2e tests read this exact document.
    assert.equal(
      JSON.stringify(compose()),
      JSON.stringify({
        stream: { namespace: 'default', name: 'news' },
        at: iso(T0 + 1000),
        activeInput: 1,
        live: true,
        overrideInput: null,
        exhausted: false,
        switching: { to: 0, cause: 'failback', since: iso(T0 + 900) },
        inputs: [
          {
            priority: 0,
            url: 'srt://a:9000?passphrase=***',
            state: 'probing',
            lastPacketTime: iso(T0 + 100),
            degradedSince: iso(T0 + 200),
            nextProbeAt: iso(T0 + 8200),
            bitrateKbps: 0,
            tracks: [],
            unknownStreams: [{ pid: 300, streamType: 0x86 }],
            errors: [{ message: 'eof', at: iso(T0 + 200) }],
            link: media()[0]!.link,
          },
          {
            priority: 1,
            url: 'udp://239.0.0.1:5000',
            state: 'active',
            lastPacketTime: iso(T0 + 950),
            degradedSince: null,
            nextProbeAt: null,
            bitrateKbps: 864,
            tracks: media()[1]!.tracks,
            unknownStreams: [],
            errors: [],
          },
        ],
        switches: [{ at: iso(T0 + 200), from: 0, to: 1, reason: 'error', detail: 'eof' }],
        configGeneration: 3,
      }),
    );
  });

  it('shows an input the media tracker does not know yet as measuring nothing', () => {
    const document = compose({ media: [], urls: [] });
    assert.deepEqual(
      document.inputs.map(({ url, bitrateKbps, tracks, unknownStreams, link }) => ({
        url,
        bitrateKbps,
        tracks,
        unknownStreams,
        link,
      })),
      [
        { url: '', bitrateKbps: 0, tracks: [], unknownStreams: [], link: undefined },
        { url: '', bitrateKbps: 0, tracks: [], unknownStreams: [], link: undefined },
      ],
    );
    assert.equal('link' in document.inputs[0]!, false, 'no link key without a link');
  });
});

describe('changeSignature', () => {
  type Edit = (d: StatusDocument) => void;
  const input = (d: StatusDocument) => d.inputs[1]!;
  const rows: [string, Edit, boolean][] = [
    ['nothing', () => {}, false],
    ['the time of composition', (d) => (d.at = iso(T0 + 5000)), false],
    ['a packet time', (d) => (input(d).lastPacketTime = iso(T0 + 4000)), false],
    ['bitrate wobble', (d) => (input(d).bitrateKbps = 900), false],
    ['a track bitrate', (d) => (input(d).tracks[0]!.bitrateKbps = 836), false],
    [
      'link statistics',
      (d) => {
        d.inputs[0]!.link!.packetsReceived = 6000;
        delete d.inputs[1]!.link;
      },
      false,
    ],
    ['delivery stops', (d) => (input(d).bitrateKbps = 0), true],
    ['delivery starts', (d) => (d.inputs[0]!.bitrateKbps = 10), true],
    ['active input', (d) => (d.activeInput = 0), true],
    ['live', (d) => (d.live = false), true],
    ['override', (d) => (d.overrideInput = 1), true],
    ['exhausted', (d) => (d.exhausted = true), true],
    ['switch under way', (d) => (d.switching = null), true],
    ['input state', (d) => (input(d).state = 'degraded'), true],
    ['degraded since', (d) => (input(d).degradedSince = iso(T0)), true],
    ['next probe', (d) => (d.inputs[0]!.nextProbeAt = iso(T0 + 16_200)), true],
    ['url', (d) => (input(d).url = 'udp://239.0.0.2:5000'), true],
    ['track details', (d) => (input(d).tracks[0]!.width = 1280), true],
    [
      'new track',
      (d) => input(d).tracks.push({ trackId: 258, codec: 'opus', kind: 'audio', bitrateKbps: 0 }),
      true,
    ],
    ['unknown stream', (d) => input(d).unknownStreams.push({ pid: 301, streamType: 0x06 }), true],
    ['error', (d) => input(d).errors.unshift({ message: 'refused', at: iso(T0) }), true],
    [
      'switch',
      (d) => d.switches.unshift({ at: iso(T0), from: 1, to: 0, reason: 'manual', detail: '' }),
      true,
    ],
    ['input removed', (d) => d.inputs.pop(), true],
    ['config generation', (d) => (d.configGeneration = 4), true],
  ];
  for (const [name, edit, changes] of rows) {
    it(`${changes ? 'changes' : 'ignores'} on ${name}`, () => {
      const before = compose();
      const after = compose();
      edit(after);
      assert.equal(changeSignature(after) !== changeSignature(before), changes);
    });
  }
});
