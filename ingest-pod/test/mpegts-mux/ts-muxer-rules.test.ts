// The muxer's rules, byte by byte: continuity counters, PES headers, stuffing, adaptation-field
// flags, PCR, PSI tables and their CRC, 33-bit wrap, PMT versions, skipped tracks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sectionCrcOk } from '../../src/mpegts/crc32.js';
import { parsePesHeader } from '../../src/mpegts/pes-header.js';
import { parsePat, parsePmt } from '../../src/mpegts/psi-tables.js';
import { TsMuxer } from '../../src/mpegts-mux/index.js';
import { au, type ParsedTsPacket, parseTs, pidPayload } from './mux-helpers.js';

const H264_AUD = [0, 0, 0, 1, 0x09, 0xf0];
const VIDEO = 0x100;
const AUDIO = 0x101;

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

/** An H.264 AU that already starts with its delimiter, `n` bytes long. */
function h264(n: number): Buffer {
  const b = bytes(n);
  b.set(H264_AUD);
  return b;
}

function videoAndAudio(): TsMuxer {
  return new TsMuxer([
    { trackId: 1, codec: 'h264' },
    { trackId: 2, codec: 'aac' },
  ]);
}

/** The section a PSI payload carries (pointer_field 0 first). */
function section(payload: Buffer): Buffer {
  assert.equal(payload[0], 0, 'pointer_field');
  const length = ((payload[2]! & 0x0f) << 8) | payload[3]!;
  return payload.subarray(1, 1 + 3 + length);
}

function pesOf(packets: readonly ParsedTsPacket[], pid: number): Buffer {
  return pidPayload(packets, pid);
}

describe('TsMuxer continuity counters', () => {
  it('count 0..15 and wrap on every PID, tables included', () => {
    const muxer = videoAndAudio();
    const out: Uint8Array[] = [muxer.tables()];
    for (let i = 0; i < 40; i++) {
      out.push(muxer.accessUnit(au(1, 'h264', 3600 * i, h264(1000), { key: i % 10 === 0 })));
      out.push(muxer.accessUnit(au(2, 'aac', 3600 * i, bytes(300))));
      if (i % 7 === 0) out.push(muxer.tables());
    }
    const packets = parseTs(Buffer.concat(out));
    for (const pid of [0, 0x1000, VIDEO, AUDIO]) {
      const ccs = packets.filter((p) => p.pid === pid).map((p) => p.cc);
      assert.ok(ccs.length > 16, `PID ${pid} wraps its counter`);
      assert.deepEqual(
        ccs,
        ccs.map((_, i) => i % 16),
        `PID ${pid}`,
      );
    }
    assert.ok(packets.every((p) => p.hasPayload));
  });
});

describe('TsMuxer PES header', () => {
  it('carries PTS only when DTS equals it, with the exact PES_packet_length', () => {
    const muxer = videoAndAudio();
    muxer.tables();
    const packets = parseTs(muxer.accessUnit(au(2, 'aac', 0x1_2345_6789, bytes(100))));
    const pes = pesOf(packets, AUDIO);
    assert.deepEqual(
      [...pes.subarray(0, 14)],
      [0, 0, 1, 0xc0, 0, 108, 0x84, 0x80, 5, 0x29, 0x8d, 0x15, 0xcf, 0x13],
    );
    assert.deepEqual(pes.subarray(14), bytes(100));
    assert.deepEqual(parsePesHeader(pes, 0), {
      headerBytes: 14,
      payloadBytes: 100,
      pts: 0x1_2345_6789,
      dts: 0x1_2345_6789,
    });
  });

  it('carries PTS and DTS when they differ', () => {
    const muxer = videoAndAudio();
    muxer.tables();
    const data = h264(500);
    const pts = 0x1_2345_6789;
    const packets = parseTs(muxer.accessUnit(au(1, 'h264', pts, data, { dts: pts - 3600 })));
    const pes = pesOf(packets, VIDEO);
    assert.deepEqual([...pes.subarray(0, 9)], [0, 0, 1, 0xe0, 0x02, 0x01, 0x84, 0xc0, 10]);
    assert.equal(pes[9]! >> 4, 0b0011, 'PTS prefix');
    assert.equal(pes[14]! >> 4, 0b0001, 'DTS prefix');
    assert.deepEqual(parsePesHeader(pes, 0), { headerBytes: 19, payloadBytes: 500, pts, dts: pts - 3600 });
    assert.deepEqual(pes.subarray(19), data);
  });

  it('writes PES_packet_length 0 for a video PES over 65535 bytes', () => {
    const muxer = videoAndAudio();
    muxer.tables();
    const data = h264(70_000);
    const pes = pesOf(parseTs(muxer.accessUnit(au(1, 'h264', 0, data))), VIDEO);
    assert.equal(pes.readUInt16BE(4), 0);
    assert.deepEqual(pes.subarray(14), data);
    const exact = pesOf(parseTs(muxer.accessUnit(au(1, 'h264', 3600, h264(65_527)))), VIDEO);
    assert.equal(exact.readUInt16BE(4), 65_535, 'the largest PES that states its length');
  });

  it('writes timestamps modulo 2^33, the PCR too', () => {
    const muxer = videoAndAudio();
    muxer.tables();
    const packets = parseTs(muxer.accessUnit(au(1, 'h264', 2 ** 33 + 100_000, h264(200))));
    const header = parsePesHeader(pesOf(packets, VIDEO), 0);
    assert.ok(typeof header !== 'string');
    assert.equal(header.pts, 100_000);
    assert.equal(packets[0]!.pcr, 100_000 - 63_000);
  });
});

describe('TsMuxer AU prefixes', () => {
  it('puts an access unit delimiter in front of H.264 and H.265 AUs that lack one', () => {
    const muxer = new TsMuxer([
      { trackId: 1, codec: 'h264' },
      { trackId: 2, codec: 'h265' },
    ]);
    muxer.tables();
    const idr = Buffer.from([0, 0, 0, 1, 0x65, 0x88, 0x84]);
    const h264Pes = pesOf(parseTs(muxer.accessUnit(au(1, 'h264', 0, idr))), 0x100);
    assert.deepEqual([...h264Pes.subarray(14)], [...H264_AUD, ...idr]);
    const withAud = h264(50);
    assert.deepEqual(
      pesOf(parseTs(muxer.accessUnit(au(1, 'h264', 3600, withAud))), 0x100).subarray(14),
      withAud,
    );
    const hevc = Buffer.from([0, 0, 1, 0x26, 0x01, 0xaf]); // IDR_W_RADL
    const h265Pes = pesOf(parseTs(muxer.accessUnit(au(2, 'h265', 0, hevc))), 0x101);
    assert.deepEqual([...h265Pes.subarray(14)], [0, 0, 0, 1, 0x46, 0x01, 0x50, ...hevc]);
  });

  it('puts the Opus control header (au_size in 255-steps) in front of each Opus packet', () => {
    const muxer = new TsMuxer([{ trackId: 1, codec: 'opus' }]);
    muxer.tables();
    for (const [size, sizeBytes] of [
      [100, [100]],
      [254, [254]],
      [255, [255, 0]],
      [600, [255, 255, 90]],
    ] as const) {
      const data = bytes(size);
      const pes = pesOf(parseTs(muxer.accessUnit(au(1, 'opus', 0, data))), 0x100);
      assert.equal(pes[3], 0xbd, 'private_stream_1');
      assert.deepEqual(
        [...pes.subarray(14, 16 + sizeBytes.length)],
        [0x7f, 0xe0, ...sizeBytes],
        `${size} bytes`,
      );
      assert.deepEqual(pes.subarray(16 + sizeBytes.length), data);
    }
  });
});

describe('TsMuxer adaptation field', () => {
  it('stuffs the last packet so the PES ends exactly at the packet end', () => {
    const muxer = videoAndAudio();
    muxer.tables();
    // PES = 14 header bytes + n; audio carries no PCR, so the first packet holds 184 bytes.
    for (const [n, stuffing] of [
      [170, 0],
      [169, 1],
      [168, 2],
      [100, 70],
      [354, 0],
      [353, 1],
      [300, 54],
    ] as const) {
      const packets = parseTs(muxer.accessUnit(au(2, 'aac', 0, bytes(n, n))));
      const last = packets.at(-1)!;
      assert.equal(last.adaptationBytes, stuffing, `${n} bytes`);
      if (stuffing >= 2) {
        assert.equal(last.raw[5], 0, 'no flags in a stuffing-only adaptation field');
        assert.ok(
          last.raw.subarray(6, 4 + stuffing).every((b) => b === 0xff),
          'stuffing bytes are 0xff',
        );
      }
      assert.ok(packets.slice(0, -1).every((p) => p.adaptationBytes === 0));
      assert.deepEqual(pesOf(packets, AUDIO).subarray(14), bytes(n, n));
    }
  });

  it('sets random_access_indicator on the first packet of a keyframe only', () => {
    const muxer = videoAndAudio();
    muxer.tables();
    const key = parseTs(muxer.accessUnit(au(1, 'h264', 0, h264(1000), { key: true })));
    const video = key.filter((p) => p.pid === VIDEO);
    assert.deepEqual(
      video.map((p) => p.randomAccess),
      video.map((_, i) => i === 0),
    );
    const delta = parseTs(muxer.accessUnit(au(1, 'h264', 3600, h264(1000))));
    assert.ok(delta.every((p) => !p.randomAccess));
    const audio = parseTs(muxer.accessUnit(au(2, 'aac', 3600, bytes(200))));
    assert.ok(audio.every((p) => !p.randomAccess));
  });

  it('puts a PCR 0.7 s behind DTS in each PES start of the first video track, nowhere else', () => {
    const muxer = new TsMuxer([
      { trackId: 2, codec: 'aac' },
      { trackId: 1, codec: 'h264' },
      { trackId: 3, codec: 'h264' },
    ]);
    const pmt = parsePmt(section(parseTs(muxer.tables())[1]!.payload));
    assert.ok(pmt && typeof pmt !== 'string');
    assert.equal(pmt.pcrPid, 0x101, 'the first video track');
    const packets = parseTs(
      Buffer.concat([
        muxer.accessUnit(au(1, 'h264', 200_000, h264(1000), { dts: 196_400 })),
        muxer.accessUnit(au(2, 'aac', 190_000, bytes(300))),
        muxer.accessUnit(au(3, 'h264', 200_000, h264(300))),
        muxer.accessUnit(au(1, 'h264', 20_000, h264(300))), // DTS below the lead: PCR stays at 0
      ]),
    );
    const pcrs = packets.filter((p) => p.pcr >= 0);
    assert.deepEqual(
      pcrs.map((p) => [p.pid, p.unitStart, p.pcr]),
      [
        [0x101, true, 196_400 - 63_000],
        [0x101, true, 0],
      ],
    );
  });

  it('an audio-only program takes its PCR from the first audio track', () => {
    const muxer = new TsMuxer([
      { trackId: 9, codec: 'scte35' },
      { trackId: 2, codec: 'mp2' },
    ]);
    muxer.tables();
    const packets = parseTs(muxer.accessUnit(au(2, 'mp2', 100_000, bytes(400))));
    assert.equal(packets[0]!.pid, 0x101);
    assert.equal(packets[0]!.pcr, 37_000);
  });

  it('marks discontinuity_indicator once per PID after a session boundary', () => {
    const muxer = videoAndAudio();
    const chunks = [muxer.tables()];
    chunks.push(muxer.accessUnit(au(1, 'h264', 900_000, h264(800), { key: true })));
    chunks.push(muxer.accessUnit(au(2, 'aac', 900_000, bytes(400))));
    const before = parseTs(Buffer.concat(chunks));
    assert.ok(before.every((p) => !p.discontinuity));
    const after = parseTs(
      Buffer.concat([
        muxer.accessUnit(au(2, 'aac', 90_000, bytes(400)), { discontinuity: true }),
        muxer.accessUnit(au(2, 'aac', 91_920, bytes(400))),
        muxer.accessUnit(au(1, 'h264', 90_000, h264(800), { key: true })),
        muxer.accessUnit(au(1, 'h264', 93_600, h264(800))),
      ]),
    );
    const flagged = after.filter((p) => p.discontinuity);
    assert.deepEqual(
      flagged.map((p) => p.pid),
      [0, 0x1000, AUDIO, VIDEO],
      'tables go out again first, then each elementary PID once',
    );
    for (const pid of [0, 0x1000, AUDIO, VIDEO]) {
      assert.equal(
        after.find((p) => p.pid === pid),
        flagged.find((p) => p.pid === pid),
        `first packet of ${pid}`,
      );
    }
    assert.equal(flagged[3]!.pcr, 90_000 - 63_000, 'the new time base starts with a PCR');
  });
});

describe('TsMuxer PSI', () => {
  it('writes a PAT and a PMT with good CRCs that our demuxer parses', () => {
    const muxer = new TsMuxer([
      { trackId: 1, codec: 'h265' },
      { trackId: 2, codec: 'eac3' },
      { trackId: 3, codec: 'opus', channels: 1 },
      { trackId: 4, codec: 'scte35' },
      { trackId: 5, codec: 'mp3' },
    ]);
    const packets = parseTs(muxer.tables());
    assert.deepEqual(
      packets.map((p) => [p.pid, p.unitStart, p.adaptationBytes]),
      [
        [0, true, 0],
        [0x1000, true, 0],
      ],
    );
    const pat = section(packets[0]!.payload);
    const pmt = section(packets[1]!.payload);
    assert.ok(sectionCrcOk(pat) && sectionCrcOk(pmt));
    for (const p of packets)
      assert.ok(p.payload.subarray(1 + section(p.payload).length).every((b) => b === 0xff));
    assert.deepEqual(parsePat(pat), [{ program: 1, pmtPid: 0x1000 }]);
    const parsed = parsePmt(pmt);
    assert.ok(parsed && typeof parsed !== 'string');
    assert.equal(parsed.version, 0);
    assert.equal(parsed.pcrPid, 0x100);
    const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
    assert.deepEqual(
      parsed.streams.map((s) => [s.streamType, s.pid, s.descriptors.map((d) => [d.tag, text(d.body)])]),
      [
        [0x24, 0x100, []],
        [0x87, 0x101, [[0x05, 'EAC3']]],
        [
          0x06,
          0x102,
          [
            [0x05, 'Opus'],
            [0x7f, '\x80\x01'],
          ],
        ],
        [0x86, 0x103, []],
        [0x03, 0x104, []],
      ],
    );
    const programInfoLength = ((pmt[10]! & 0x0f) << 8) | pmt[11]!;
    assert.equal(text(pmt.subarray(12, 12 + programInfoLength)), '\x05\x04CUEI', 'SCTE-35 registration');
  });

  it('writes an SCTE-35 cue as a section after a pointer_field, padded with 0xff', () => {
    const muxer = new TsMuxer([
      { trackId: 1, codec: 'h264' },
      { trackId: 7, codec: 'scte35' },
    ]);
    muxer.tables();
    const cue = Buffer.from([0xfc, 0x30, 0x11, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xf0, 0, 0, 0, 0, 1, 2, 3, 4]);
    const packets = parseTs(muxer.accessUnit(au(7, 'scte35', 0, cue)));
    assert.equal(packets.length, 1);
    const p = packets[0]!;
    assert.deepEqual([p.pid, p.unitStart, p.adaptationBytes, p.pcr], [0x101, true, 0, -1]);
    assert.deepEqual([...p.payload.subarray(0, 21)], [0, ...cue]);
    assert.ok(p.payload.subarray(21).every((b) => b === 0xff));
    const long = Buffer.alloc(400, 0x42);
    long.set([0xfc, 0x31, 0x8d]); // section_length 397
    const split = parseTs(muxer.accessUnit(au(7, 'scte35', 0, long)));
    assert.deepEqual(
      split.map((q) => [q.unitStart, q.cc]),
      [
        [true, 1],
        [false, 2],
        [false, 3],
      ],
    );
    assert.deepEqual(pidPayload(split, 0x101).subarray(1, 401), long);
  });

  it('bumps the PMT version when the tracks change, and only then', () => {
    const muxer = videoAndAudio();
    const versionOf = (tables: Uint8Array) => {
      const pmt = parsePmt(section(parseTs(tables)[1]!.payload));
      assert.ok(pmt && typeof pmt !== 'string');
      return pmt;
    };
    assert.equal(versionOf(muxer.tables()).version, 0);
    muxer.setTracks([
      { trackId: 1, codec: 'h264' },
      { trackId: 2, codec: 'aac' },
    ]);
    assert.equal(muxer.version, 0, 'same tracks: same PMT');
    muxer.accessUnit(au(2, 'aac', 0, bytes(10)));
    muxer.setTracks([
      { trackId: 3, codec: 'ac3' },
      { trackId: 2, codec: 'aac' },
    ]);
    const pmt = versionOf(muxer.tables());
    assert.equal(pmt.version, 1);
    assert.deepEqual(
      pmt.streams.map((s) => [s.streamType, s.pid]),
      [
        [0x81, 0x100],
        [0x0f, 0x101],
      ],
      'aac keeps its PID, ac3 takes the free one',
    );
    assert.equal(pmt.pcrPid, 0x100);
    const next = parseTs(muxer.accessUnit(au(2, 'aac', 1920, bytes(10))));
    assert.equal(next.at(-1)!.cc, 1, 'a track that stays keeps its continuity counter');
    for (let i = 0; i < 31; i++)
      muxer.setTracks(i % 2 ? [{ trackId: 1, codec: 'mp2' }] : [{ trackId: 1, codec: 'aac' }]);
    assert.equal(muxer.version, 0, 'version_number wraps at 32');
  });

  it('repeats the tables before video keyframes and every 100 ms of DTS, and after setTracks', () => {
    const muxer = videoAndAudio();
    const withTables = (a: Uint8Array) => parseTs(a)[0]!.pid === 0;
    assert.equal(withTables(muxer.accessUnit(au(2, 'aac', 0, bytes(10)))), true, 'first AU');
    assert.equal(withTables(muxer.accessUnit(au(2, 'aac', 1920, bytes(10)))), false);
    assert.equal(
      withTables(muxer.accessUnit(au(1, 'h264', 3600, h264(50), { key: true }))),
      true,
      'keyframe',
    );
    assert.equal(withTables(muxer.accessUnit(au(2, 'aac', 3840, bytes(10)))), false);
    assert.equal(withTables(muxer.accessUnit(au(2, 'aac', 12_599, bytes(10)))), false, '99.99 ms');
    assert.equal(withTables(muxer.accessUnit(au(2, 'aac', 12_600, bytes(10)))), true, '100 ms');
    assert.equal(withTables(muxer.accessUnit(au(1, 'h264', 7200, h264(50)))), false, 'video a little behind');
    muxer.tables();
    assert.equal(
      withTables(muxer.accessUnit(au(1, 'h264', 14_400, h264(50), { key: true }))),
      false,
      'just sent',
    );
    muxer.setTracks([{ trackId: 2, codec: 'aac' }]);
    assert.equal(withTables(muxer.accessUnit(au(2, 'aac', 16_000, bytes(10)))), true, 'new PMT');
  });
});

describe('TsMuxer unsupported input', () => {
  it('lists AV1 and duplicate tracks as skipped, and skips and counts their AUs', () => {
    const muxer = new TsMuxer([
      { trackId: 1, codec: 'av1' },
      { trackId: 2, codec: 'aac' },
      { trackId: 2, codec: 'mp2' },
    ]);
    assert.deepEqual(
      muxer.skippedTracks.map((t) => [t.trackId, t.codec]),
      [
        [1, 'av1'],
        [2, 'mp2'],
      ],
    );
    assert.match(muxer.skippedTracks[0]!.reason, /av1/);
    assert.deepEqual([...muxer.pids], [[2, 0x100]]);
    assert.equal(muxer.accessUnit(au(1, 'av1', 0, bytes(10))).length, 0);
    assert.equal(muxer.accessUnit(au(9, 'aac', 0, bytes(10))).length, 0, 'unknown track');
    assert.equal(muxer.accessUnit(au(2, 'mp2', 0, bytes(10))).length, 0, 'codec other than the track');
    assert.ok(muxer.accessUnit(au(2, 'aac', 0, bytes(10))).length > 0);
    assert.deepEqual(muxer.stats, { accessUnits: 1, skippedAccessUnits: 3 });
  });
});
