// Private data (stream_type 0x06) that no descriptor explains is read when its first PES shows AAC
// (ADTS), AC-3 or E-AC-3, as ffprobe does; anything else is an unknown stream, reported once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUndeclaredPrivateData, sniffPrivatePayload } from '../../src/mpegts/private-stream-probe.js';
import { demuxAll } from './demux-helpers.js';
import { type PmtEntry, patSection, pmtSection, TsWriter } from './ts-builder.js';

const PMT = 0x1000;
const VIDEO = 0x100;
const PRIVATE = 0x1100;

/** An ADTS frame (AAC-LC, 48 kHz, stereo) of `length` bytes, filled with `fill`. */
function adtsFrame(length: number, fill: number): Uint8Array {
  const f = new Uint8Array(length).fill(fill);
  f.set([0xff, 0xf1, 0x4c, 0x80 | (length >> 11), (length >> 3) & 0xff, ((length & 7) << 5) | 0x1f, 0xfc]);
  return f;
}

function programWith(streams: PmtEntry[], version = 0): TsWriter {
  return new TsWriter()
    .section(0, patSection([{ program: 1, pmtPid: PMT }]))
    .section(PMT, pmtSection(1, streams[0]!.pid, streams, version));
}

describe('sniffPrivatePayload', () => {
  it('ADTS, AC-3 (bsid 8) and E-AC-3 (bsid 16); anything else is not ours', () => {
    const ac3 = (bsid: number) => Uint8Array.from([0x0b, 0x77, 0, 0, 0x10, bsid << 3]);
    assert.equal(sniffPrivatePayload(adtsFrame(20, 0), 0, 20), 'aac');
    assert.equal(sniffPrivatePayload(ac3(8), 0, 6), 'ac3');
    assert.equal(sniffPrivatePayload(ac3(16), 0, 6), 'eac3');
    assert.equal(sniffPrivatePayload(ac3(20), 0, 6), null);
    // MPEG audio layer II has the same 12-bit sync but a layer of 2: not ADTS.
    assert.equal(sniffPrivatePayload(Uint8Array.from([0xff, 0xfd, 0x80, 0, 0, 0]), 0, 6), null);
    assert.equal(sniffPrivatePayload(Uint8Array.from([0x20, 0, 0, 0, 0, 0]), 0, 6), null);
    assert.equal(sniffPrivatePayload(adtsFrame(20, 0), 0, 5), null, 'too short to tell');
  });

  it('only private data without descriptors (a language at most) is probed', () => {
    const entry = (streamType: number, tags: number[]) => ({
      streamType,
      pid: PRIVATE,
      descriptors: tags.map((tag) => ({ tag, body: new Uint8Array(0) })),
    });
    assert.equal(isUndeclaredPrivateData(entry(0x06, [])), true);
    assert.equal(isUndeclaredPrivateData(entry(0x06, [0x0a])), true);
    assert.equal(isUndeclaredPrivateData(entry(0x06, [0x59])), false, 'DVB subtitles say what they are');
    assert.equal(isUndeclaredPrivateData(entry(0x0f, [])), false);
  });
});

describe('the demuxer on undeclared private data', () => {
  it('ADTS in 0x06 becomes an AAC track from its first PES on, kept across a new PMT version', () => {
    const streams: PmtEntry[] = [{ streamType: 0x06, pid: PRIVATE }];
    const w = programWith(streams)
      .pes(PRIVATE, Buffer.concat([adtsFrame(100, 1), adtsFrame(120, 2)]), { streamId: 0xbd, pts: 1000 })
      .section(PMT, pmtSection(1, PRIVATE, streams, 1))
      .pes(PRIVATE, adtsFrame(90, 3), { streamId: 0xbd, pts: 1000 + 2 * 1920 });
    const { packets, events, demuxer } = demuxAll(w.bytes());
    assert.deepEqual(events, []);
    assert.deepEqual(
      packets.map((p) => [p.trackId, p.codec, p.pts, p.data.length]),
      [
        [PRIVATE, 'aac', 1000, 100],
        [PRIVATE, 'aac', 2920, 120],
        [PRIVATE, 'aac', 4840, 90],
      ],
    );
    assert.deepEqual(demuxer.tracks, [{ trackId: PRIVATE, codec: 'aac', sampleRate: 48000, channels: 2 }]);
    assert.deepEqual(demuxer.programs, [{ program: 1, pmtPid: PMT, pcrPid: PRIVATE, pids: [PRIVATE] }]);
  });

  it('something else in 0x06 is an unknown stream, reported once when its first PES shows it', () => {
    const streams: PmtEntry[] = [
      { streamType: 0x1b, pid: VIDEO },
      { streamType: 0x06, pid: PRIVATE },
    ];
    const w = programWith(streams)
      .pes(PRIVATE, new Uint8Array(50).fill(0x20), { streamId: 0xbd, pts: 0 })
      .section(PMT, pmtSection(1, VIDEO, streams, 1))
      .pes(PRIVATE, adtsFrame(90, 3), { streamId: 0xbd, pts: 1920 });
    const { packets, events, demuxer } = demuxAll(w.bytes());
    assert.deepEqual(events, [{ type: 'unknown-stream', pid: PRIVATE, streamType: 0x06, program: 1 }]);
    assert.deepEqual(packets, [], 'a later ADTS-looking PES does not change the verdict');
    assert.deepEqual(demuxer.unknownStreams, [{ pid: PRIVATE, streamType: 0x06, program: 1 }]);
    assert.deepEqual(demuxer.programs, [{ program: 1, pmtPid: PMT, pcrPid: VIDEO, pids: [VIDEO, PRIVATE] }]);
  });

  it('a PID that leaves the PMT before its first PES is dropped quietly', () => {
    const w = programWith([{ streamType: 0x06, pid: PRIVATE }])
      .section(PMT, pmtSection(1, VIDEO, [{ streamType: 0x1b, pid: VIDEO }], 1))
      .pes(PRIVATE, adtsFrame(90, 3), { streamId: 0xbd, pts: 0 });
    const { packets, events, demuxer } = demuxAll(w.bytes());
    assert.deepEqual([packets, events, demuxer.unknownStreams], [[], [], []]);
    assert.deepEqual(demuxer.programs, [{ program: 1, pmtPid: PMT, pcrPid: VIDEO, pids: [VIDEO] }]);
  });
});
