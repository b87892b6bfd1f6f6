// Stream shapes ffmpeg does not write but broadcast does, built packet by packet: parameter sets
// sent apart from keyframes, access units split over PES, headers split over TS packets, audio
// frames across PES, SCTE-35, unknown stream types, PSI sections across and within packets.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { createTsDemuxer } from '../../src/mpegts/index.js';
import { ffprobeDecodedFrames, makeTsFile } from '../support/media.js';
import { demuxAll, fingerprint, nalTypes } from './demux-helpers.js';
import { type PmtEntry, patSection, pmtSection, scte35Section, TsWriter } from './ts-builder.js';

const PMT = 0x1000;
const VIDEO = 0x100;
const AUDIO = 0x101;
const CUES = 0x102;
const START = Uint8Array.from([0, 0, 0, 1]);

let dir: string;
/** Real H.264 access units (AUD, SPS+PPS on keyframes, SEI, slices) from an ffmpeg source. */
let video: AVPacket[];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-demux-crafted-'));
  const file = await makeTsFile(dir, { video: 'h264', audio: null, seconds: 1, gop: 5 });
  video = demuxAll(await readFile(file)).packets;
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function splitNals(au: Uint8Array): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1) starts.push(i + 3);
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : au.length;
    while (end > s && au[end - 1] === 0) end--;
    return au.subarray(s, end);
  });
}

function annexB(nals: Uint8Array[]): Uint8Array {
  return Buffer.concat(nals.flatMap((n) => [START, n]));
}

const isParameterSet = (nal: Uint8Array) => (nal[0]! & 0x1f) === 7 || (nal[0]! & 0x1f) === 8;

function programWith(streams: PmtEntry[], pcr = streams[0]!.pid): TsWriter {
  return new TsWriter()
    .section(0, patSection([{ program: 1, pmtPid: PMT }]))
    .section(PMT, pmtSection(1, pcr, streams));
}

async function decodedFrames(packets: AVPacket[], name: string): Promise<number> {
  const file = join(dir, name);
  await writeFile(file, Buffer.concat(packets.map((p) => p.data)));
  return (await ffprobeDecodedFrames(file))[0]!;
}

describe('H.264 parameter sets', () => {
  it('the source has them only on its first keyframe: cached and put in front of the others', async () => {
    assert.ok(video.filter((p) => p.key).length >= 4);
    const w = programWith([{ streamType: 0x1b, pid: VIDEO }]);
    let firstKey = true;
    for (const au of video) {
      let nals = splitNals(au.data);
      if (au.key && !firstKey) nals = nals.filter((n) => !isParameterSet(n));
      if (au.key) firstKey = false;
      w.pes(VIDEO, annexB(nals), { streamId: 0xe0, pts: au.pts, dts: au.dts });
    }
    const { packets, events } = demuxAll(w.bytes());
    assert.deepEqual(events, []);
    assert.equal(packets.length, video.length);
    for (const [i, p] of packets.entries()) {
      assert.equal(p.key, video[i]!.key);
      if (!p.key) continue;
      const types = nalTypes('h264', p.data);
      assert.deepEqual(types.slice(0, 3), [9, 7, 8], 'AUD first, then the cached SPS and PPS');
      const hex = (au: Uint8Array) => splitNals(au).map((n) => Buffer.from(n).toString('hex'));
      assert.deepEqual(hex(p.data), hex(video[i]!.data), 'the same units as the original');
    }
    assert.equal(await decodedFrames(packets, 'first-only.h264'), video.length);
  });

  it('a keyframe with its SPS but not its PPS gets the PPS after the SPS', () => {
    const w = programWith([{ streamType: 0x1b, pid: VIDEO }]);
    let firstKey = true;
    for (const au of video) {
      let nals = splitNals(au.data);
      if (au.key && !firstKey) nals = nals.filter((n) => (n[0]! & 0x1f) !== 8);
      if (au.key) firstKey = false;
      w.pes(VIDEO, annexB(nals), { streamId: 0xe0, pts: au.pts, dts: au.dts });
    }
    const { packets } = demuxAll(w.bytes());
    const keys = packets.filter((p) => p.key);
    assert.ok(keys.length >= 4);
    for (const p of keys) assert.deepEqual(nalTypes('h264', p.data).slice(0, 3), [9, 7, 8]);
  });

  it('the source sends them in a PES of their own: held for the next picture, not an AU by itself', async () => {
    const w = programWith([{ streamType: 0x1b, pid: VIDEO }]);
    for (const au of video) {
      const nals = splitNals(au.data);
      if (au.key)
        w.pes(VIDEO, annexB(nals.filter(isParameterSet)), { streamId: 0xe0, pts: au.pts, dts: au.dts });
      w.pes(VIDEO, annexB(nals.filter((n) => !isParameterSet(n))), {
        streamId: 0xe0,
        pts: au.pts,
        dts: au.dts,
      });
    }
    const { packets, events } = demuxAll(w.bytes());
    assert.deepEqual(events, []);
    assert.deepEqual(
      packets.map((p) => [p.pts, p.dts, p.key]),
      video.map((p) => [p.pts, p.dts, p.key]),
    );
    for (const p of packets.filter((p) => p.key)) {
      const types = nalTypes('h264', p.data);
      assert.ok(types.indexOf(7) < types.indexOf(5) && types.indexOf(8) < types.indexOf(5), `${types}`);
    }
    assert.equal(await decodedFrames(packets, 'apart.h264'), video.length);
  });
});

describe('parameter set caps', () => {
  it('an oversized SPS and PPS beyond 32 are not cached, and counted', () => {
    const w = programWith([{ streamType: 0x1b, pid: VIDEO }]);
    const hugeSps = Uint8Array.from([0x67, ...new Uint8Array(5000).fill(0x11)]);
    let firstKey = true;
    for (const au of video) {
      let nals = splitNals(au.data);
      if (au.key && firstKey) {
        const pps = nals.find((n) => (n[0]! & 0x1f) === 8)!;
        const at = nals.indexOf(pps);
        nals = [
          ...nals.slice(0, at),
          hugeSps,
          ...Array.from({ length: 41 }, () => pps),
          ...nals.slice(at + 1),
        ];
      } else if (au.key) nals = nals.filter((n) => !isParameterSet(n));
      if (au.key) firstKey = false;
      w.pes(VIDEO, annexB(nals), { streamId: 0xe0, pts: au.pts, dts: au.dts });
    }
    const { packets, events } = demuxAll(w.bytes());
    const refused = events.filter((e) => e.type === 'parameter-sets-refused');
    assert.equal(
      refused.reduce((n, e) => n + (e.type === 'parameter-sets-refused' ? e.count : 0), 0),
      1 + (41 - 32),
    );
    const later = packets.filter((p) => p.key).slice(1);
    assert.ok(later.length >= 3);
    for (const p of later) {
      const nals = splitNals(p.data);
      assert.equal(nals.filter((n) => (n[0]! & 0x1f) === 8).length, 32, 'the first 32 PPS were cached');
      const sps = nals.filter((n) => (n[0]! & 0x1f) === 7);
      assert.ok(sps.length === 1 && sps[0]!.length < 4096, 'the oversized SPS was not cached');
    }
  });
});

describe('PES shapes', () => {
  it('an access unit split over two PES, the second without PTS, is one access unit', () => {
    const au = video[1]!;
    const half = Math.floor(au.data.length / 2);
    const w = programWith([{ streamType: 0x1b, pid: VIDEO }])
      .pes(VIDEO, video[0]!.data, { streamId: 0xe0, pts: video[0]!.pts, dts: video[0]!.dts })
      .pes(VIDEO, au.data.subarray(0, half), { streamId: 0xe0, pts: au.pts, dts: au.dts })
      .pes(VIDEO, au.data.subarray(half), { streamId: 0xe0 });
    const { packets } = demuxAll(w.bytes());
    assert.equal(packets.length, 2);
    assert.deepEqual(Buffer.from(packets[1]!.data), Buffer.from(au.data));
    assert.equal(packets[1]!.pts, au.pts);
  });

  it('a PES header split over TS packets is put back together', () => {
    const w = programWith([{ streamType: 0x1b, pid: VIDEO }]);
    for (const [i, au] of video.slice(0, 6).entries()) {
      w.pes(VIDEO, au.data, { streamId: 0xe0, pts: au.pts, dts: au.dts }, { firstPayload: 1 + (i % 5) * 4 });
    }
    const { packets, events } = demuxAll(w.bytes());
    assert.deepEqual(events, []);
    assert.deepEqual(
      packets.map((p) => [p.pts, p.dts, Buffer.from(p.data).toString('hex')]),
      video.slice(0, 6).map((p) => [p.pts, p.dts, Buffer.from(p.data).toString('hex')]),
    );
  });
});

/** An ADTS frame (AAC-LC, 48 kHz, stereo) of `length` bytes, filled with `fill`. */
function adtsFrame(length: number, fill: number): Uint8Array {
  const f = new Uint8Array(length).fill(fill);
  f.set([0xff, 0xf1, 0x4c, 0x80 | (length >> 11), (length >> 3) & 0xff, ((length & 7) << 5) | 0x1f, 0xfc]);
  return f;
}

describe('audio framing', () => {
  it('a frame cut by a PES boundary keeps the old timing; the PES PTS belongs to the first frame starting in it', () => {
    const [a, b, c] = [adtsFrame(100, 1), adtsFrame(120, 2), adtsFrame(90, 3)];
    const w = programWith([{ streamType: 0x0f, pid: AUDIO }])
      .pes(AUDIO, Buffer.concat([a, b.subarray(0, 50)]), { streamId: 0xc0, pts: 1000 })
      .pes(AUDIO, Buffer.concat([b.subarray(50), c]), { streamId: 0xc0, pts: 1000 + 2 * 1920 + 7 });
    const { packets, events } = demuxAll(w.bytes());
    assert.deepEqual(events, []);
    assert.deepEqual(
      packets.map((p) => [p.pts, p.data.length, p.data[10]]),
      [
        [1000, 100, 1],
        [2920, 120, 2],
        [4847, 90, 3],
      ],
    );
  });

  it('lost ADTS sync skips to the next frame and says how far', () => {
    const w = programWith([{ streamType: 0x0f, pid: AUDIO }]).pes(
      AUDIO,
      Buffer.concat([adtsFrame(64, 1), Uint8Array.from([1, 2, 3, 4, 5]), adtsFrame(64, 2)]),
      { streamId: 0xc0, pts: 0 },
    );
    const { packets, events } = demuxAll(w.bytes());
    assert.deepEqual(events, [{ type: 'malformed', pid: AUDIO, detail: 'audio sync lost: 5 bytes skipped' }]);
    assert.deepEqual(
      packets.map((p) => p.pts),
      [0, 1920],
    );
  });

  it('an E-AC-3 dependent substream travels with its independent frame', () => {
    const frame = (dependent: boolean, fill: number) => {
      const f = new Uint8Array(64).fill(fill);
      // strmtyp, frmsiz = 31 words - 1; 48 kHz, 6 blocks, acmod 2; bsid 16
      f.set([0x0b, 0x77, (dependent ? 0x40 : 0) | 0, 31, 0x34, 16 << 3]);
      return f;
    };
    const w = programWith([{ streamType: 0x87, pid: AUDIO }]).pes(
      AUDIO,
      Buffer.concat([frame(false, 1), frame(true, 2), frame(false, 3), frame(true, 4)]),
      { streamId: 0xbd, pts: 9000 },
    );
    const { packets, demuxer } = demuxAll(w.bytes());
    assert.deepEqual(
      packets.map((p) => [p.codec, p.pts, p.data.length]),
      [
        ['eac3', 9000, 128],
        ['eac3', 9000 + (1536 * 90000) / 48000, 128],
      ],
    );
    assert.deepEqual(demuxer.tracks, [{ trackId: AUDIO, codec: 'eac3', sampleRate: 48000, channels: 2 }]);
  });
});

describe('SCTE-35', () => {
  it('sections become scte35 packets timed by the program video; bad CRCs are reported', () => {
    const early = scte35Section(0);
    const long = scte35Section(123456, 400); // spans three TS packets
    const broken = Uint8Array.from(scte35Section(1));
    broken[5]! ^= 0x10;
    const w = programWith([
      { streamType: 0x1b, pid: VIDEO },
      { streamType: 0x86, pid: CUES },
    ])
      .section(CUES, early)
      .pes(VIDEO, video[0]!.data, { streamId: 0xe0, pts: 900000, dts: 900000 })
      .pes(VIDEO, video[1]!.data, { streamId: 0xe0, pts: 903600, dts: 903600 })
      .section(CUES, long)
      .section(CUES, broken);
    const { packets, events, demuxer } = demuxAll(w.bytes());
    const cues = packets.filter((p) => p.codec === 'scte35');
    assert.deepEqual(
      cues.map((p) => [p.trackId, p.pts, p.dts, p.key, Buffer.from(p.data).toString('hex')]),
      [
        [CUES, 900000, 900000, false, Buffer.from(early).toString('hex')],
        [CUES, 903600, 903600, false, Buffer.from(long).toString('hex')],
      ],
    );
    assert.deepEqual(events, [{ type: 'crc-error', pid: CUES, table: 'scte35' }]);
    assert.deepEqual(
      demuxer.tracks.map((t) => t.codec),
      ['h264', 'scte35'],
    );
  });
});

describe('PMT contents', () => {
  it('unknown stream types are listed and reported once each; descriptors identify AC-3 in 0x06', () => {
    const streams: PmtEntry[] = [
      { streamType: 0x1b, pid: VIDEO },
      { streamType: 0x06, pid: 0x110, descriptors: [0x6a, 1, 0x00] }, // DVB AC-3
      { streamType: 0x06, pid: 0x111, descriptors: [0x59, 8, 0x65, 0x6e, 0x67, 0x10, 0, 1, 0, 1] }, // subtitles
      { streamType: 0x15, pid: 0x112 }, // ID3 metadata
      { streamType: 0x11, pid: 0x113 }, // AAC in LATM
    ];
    const pmt = pmtSection(1, VIDEO, streams);
    const w = programWith(streams).section(PMT, pmt).section(PMT, pmt);
    const { events, demuxer } = demuxAll(w.bytes());
    assert.deepEqual(events, [
      { type: 'unknown-stream', pid: 0x111, streamType: 0x06, program: 1 },
      { type: 'unknown-stream', pid: 0x112, streamType: 0x15, program: 1 },
      { type: 'unknown-stream', pid: 0x113, streamType: 0x11, program: 1 },
    ]);
    assert.equal(demuxer.stats.unknownStreams, 3);
    assert.deepEqual(demuxer.unknownStreams, [
      { pid: 0x111, streamType: 0x06, program: 1 },
      { pid: 0x112, streamType: 0x15, program: 1 },
      { pid: 0x113, streamType: 0x11, program: 1 },
    ]);
    assert.deepEqual(
      demuxer.tracks.map((t) => [t.trackId, t.codec]),
      [
        [VIDEO, 'h264'],
        [0x110, 'ac3'],
      ],
    );
    assert.deepEqual(demuxer.programs, [
      { program: 1, pmtPid: PMT, pcrPid: VIDEO, pids: [VIDEO, 0x110, 0x111, 0x112, 0x113] },
    ]);
  });

  it('a PMT longer than a packet, and two PMTs in one packet, are both read', () => {
    const many: PmtEntry[] = Array.from({ length: 20 }, (_, i) => ({
      streamType: 0x0f,
      pid: 0x200 + i,
      descriptors: [0x0a, 4, 0x65, 0x6e, 0x67, 0], // ISO 639 language
    }));
    const first = pmtSection(1, 0x200, many);
    assert.ok(first.length > 184);
    const second = pmtSection(2, 0x300, [{ streamType: 0x1b, pid: 0x300 }]);
    const third = pmtSection(3, 0x301, [{ streamType: 0x1b, pid: 0x301 }]);
    const w = new TsWriter()
      .section(
        0,
        patSection([
          { program: 1, pmtPid: PMT },
          { program: 2, pmtPid: PMT },
          { program: 3, pmtPid: PMT },
        ]),
      )
      .section(PMT, first)
      .payload(PMT, Buffer.concat([Uint8Array.from([0]), second, third]), true);
    const { demuxer, events } = demuxAll(w.bytes());
    assert.deepEqual(events, []);
    assert.deepEqual(
      demuxer.programs.map((p) => [p.program, p.pids.length]),
      [
        [1, 20],
        [2, 1],
        [3, 1],
      ],
    );
  });

  it('a new PMT version replaces the stream list', () => {
    const w = programWith([{ streamType: 0x0f, pid: AUDIO }])
      .pes(AUDIO, adtsFrame(64, 1), { streamId: 0xc0, pts: 0 })
      .section(PMT, pmtSection(1, 0x105, [{ streamType: 0x03, pid: 0x105 }], 1));
    const { demuxer, packets } = demuxAll(w.bytes());
    assert.equal(packets.length, 1);
    assert.deepEqual(demuxer.tracks, [{ trackId: 0x105, codec: 'mp2' }]);
  });
});

describe('lifecycle', () => {
  it('reset() forgets programs, partial PES, timestamps and counters', () => {
    const w = programWith([{ streamType: 0x1b, pid: VIDEO }]);
    for (const au of video) w.pes(VIDEO, au.data, { streamId: 0xe0, pts: au.pts, dts: au.dts });
    const bytes = w.bytes();
    const fresh = demuxAll(bytes);
    const d = createTsDemuxer();
    d.push(bytes.subarray(0, Math.floor(bytes.length / 2) + 99));
    assert.ok(d.tracks.length === 1 && d.stats.accessUnits > 0);
    d.reset();
    assert.deepEqual(
      [d.tracks, d.programs, d.stats.bytes, d.stats.accessUnits, d.stats.bufferedBytes],
      [[], [], 0, 0, 0],
    );
    const again = [...d.push(bytes), ...d.flush()];
    assert.deepEqual(fingerprint(again), fingerprint(fresh.packets));
    assert.deepEqual(d.stats, fresh.demuxer.stats);
  });
});
