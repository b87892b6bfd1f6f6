// AAC (AudioSpecificConfig -> ADTS), MP3 pass-through, Enhanced RTMP audio, and audio codecs
// the converter cannot carry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAudioSpecificConfig } from '../../src/flv/aac-config.js';
import { ADTS_SYNTAX } from '../../src/mpegts/elementary/adts.js';
import { asc, audio, audioTag, concat, enhancedAudio, SOUND } from './flv-builder.js';
import { runConverter } from './run-converter.js';

const RAW = Uint8Array.of(0x21, 0x10, 0x04, 0x60, 0x8c, 0x1c);
const aacConfigTag = (ts: number, config: Uint8Array) => audioTag(ts, audio(SOUND.aac, config, 0));
const aacFrameTag = (ts: number, raw = RAW) => audioTag(ts, audio(SOUND.aac, raw, 1));
/** An MPEG-1 layer III frame header: 128 kbit/s, 44.1 kHz, joint stereo. */
const MP3_FRAME = concat([0xff, 0xfb, 0x90, 0x44], new Array(413).fill(0));

describe('FLV AAC', () => {
  it('prepends an ADTS header made from the AudioSpecificConfig; PTS = DTS = tag time', () => {
    const run = runConverter(aacConfigTag(0, asc(2, { index: 3 }, 2)), aacFrameTag(21), aacFrameTag(43));
    assert.deepEqual(run.converter.tracks, [{ trackId: 1, codec: 'aac', sampleRate: 48000, channels: 2 }]);
    assert.deepEqual(
      run.packets.map((p) => [p.codec, p.trackId, p.dts, p.pts, p.key]),
      [
        ['aac', 1, 21 * 90, 21 * 90, false],
        ['aac', 1, 43 * 90, 43 * 90, false],
      ],
    );
    const data = run.packets[0]!.data;
    const adts = ADTS_SYNTAX.read(data, 0);
    assert.deepEqual(
      { length: adts?.length, sampleRate: adts?.sampleRate, channels: adts?.channels },
      { length: 7 + RAW.length, sampleRate: 48000, channels: 2 },
    );
    assert.equal((data[2]! >> 6) + 1, 2, 'ADTS profile is object type - 1');
    assert.deepEqual([...data.subarray(7)], [...RAW]);
  });

  it('drops and counts frames before the first AudioSpecificConfig', () => {
    const run = runConverter(
      aacFrameTag(0),
      aacFrameTag(21),
      aacConfigTag(40, asc(2, { index: 4 }, 1)),
      aacFrameTag(43),
    );
    assert.equal(run.packets.length, 1);
    assert.equal(run.converter.stats.audioBeforeConfig, 2);
    assert.equal(run.converter.tracks[0]?.sampleRate, 44100);
  });

  it('an empty AudioSpecificConfig (ffmpeg relaying ADTS) is skipped, not reported as malformed', () => {
    const run = runConverter(
      aacConfigTag(0, new Uint8Array(0)),
      aacConfigTag(0, asc(2, { index: 3 }, 2)),
      aacFrameTag(21),
    );
    assert.equal(run.converter.stats.malformed, 0);
    assert.equal(run.packets.length, 1);
  });

  it('reads the escapes: an explicit sample rate (index 15) and object types past 31', () => {
    const explicit = readAudioSpecificConfig(asc(2, 48000, 2));
    assert.deepEqual(explicit, {
      objectType: 2,
      sampleRate: 48000,
      sampleRateIndex: 15,
      channelConfig: 2,
      channels: 2,
    });
    const escaped = readAudioSpecificConfig(asc(36, { index: 3 }, 1));
    assert.equal(typeof escaped === 'object' && escaped.objectType, 36);

    const run = runConverter(aacConfigTag(0, asc(2, 48000, 2)), aacFrameTag(0));
    assert.equal(
      ADTS_SYNTAX.read(run.packets[0]!.data, 0)?.sampleRate,
      48000,
      'explicit 48000 is table index 3',
    );
  });

  it('reports AAC that ADTS cannot carry as an unsupported track, until a carriable config comes', () => {
    const run = runConverter(
      aacConfigTag(0, asc(36, { index: 3 }, 2)),
      aacFrameTag(21),
      aacConfigTag(40, asc(2, 50000, 2)),
      aacConfigTag(60, asc(2, { index: 3 }, 2)),
      aacFrameTag(80),
    );
    assert.deepEqual(run.events, [
      { type: 'unsupported', media: 'audio', codec: 'aac object type 36' },
      { type: 'unsupported', media: 'audio', codec: 'aac sample rate 50000' },
    ]);
    assert.equal(run.converter.stats.unsupported, 3);
    assert.equal(run.packets.length, 1);
    assert.deepEqual(run.converter.unsupportedTracks, []);
  });

  it('uses the core object type under explicit SBR signalling (HE-AAC)', () => {
    // object type 5, 24 kHz core, stereo, extension rate 48 kHz, then object type 2
    const config = readAudioSpecificConfig(Uint8Array.of(0x2b, 0x11, 0x88, 0x00));
    assert.deepEqual(config, {
      objectType: 2,
      sampleRate: 24000,
      sampleRateIndex: 6,
      channelConfig: 2,
      channels: 2,
    });
  });

  it('counts configs it cannot read and frames ADTS cannot hold', () => {
    const run = runConverter(
      aacConfigTag(0, Uint8Array.of(0x10)),
      aacConfigTag(0, asc(2, { index: 13 }, 2)),
      aacConfigTag(0, asc(2, { index: 3 }, 2)),
      aacFrameTag(0, new Uint8Array(9000)),
      aacFrameTag(0, new Uint8Array(0)),
      audioTag(0, Uint8Array.of(0xaf)),
      audioTag(0, Uint8Array.of(0xaf, 7)),
    );
    assert.equal(run.packets.length, 0);
    assert.equal(run.converter.stats.malformed, 6);
  });

  it('reads Enhanced RTMP mp4a like legacy AAC', () => {
    const run = runConverter(
      audioTag(0, enhancedAudio(0, 'mp4a', asc(2, { index: 3 }, 2))),
      audioTag(21, enhancedAudio(1, 'mp4a', RAW)),
    );
    assert.equal(run.packets.length, 1);
    assert.equal(run.packets[0]!.codec, 'aac');
  });
});

describe('FLV MP3', () => {
  it('passes MP3 frames through, with rate and channels from the frame header', () => {
    const run = runConverter(
      audioTag(0, audio(SOUND.mp3, MP3_FRAME)),
      audioTag(26, audio(SOUND.mp3, MP3_FRAME)),
    );
    assert.deepEqual(
      run.packets.map((p) => [p.codec, p.trackId, p.dts, p.pts, p.data.length]),
      [
        ['mp3', 1, 0, 0, MP3_FRAME.length],
        ['mp3', 1, 26 * 90, 26 * 90, MP3_FRAME.length],
      ],
    );
    assert.deepEqual(run.converter.tracks, [{ trackId: 1, codec: 'mp3', sampleRate: 44100, channels: 2 }]);
  });

  it('takes sound format 14 (MP3 8 kHz) as MP3, falling back to the FLV header for the rate', () => {
    const run = runConverter(audioTag(0, concat([(SOUND.mp3_8k << 4) | 0x02], [1, 2, 3])));
    assert.equal(run.packets[0]?.codec, 'mp3');
    assert.deepEqual(run.converter.tracks, [{ trackId: 1, codec: 'mp3', sampleRate: 8000, channels: 1 }]);
  });

  it('needs a new AudioSpecificConfig after switching from MP3 back to AAC', () => {
    const run = runConverter(
      aacConfigTag(0, asc(2, { index: 3 }, 2)),
      audioTag(10, audio(SOUND.mp3, MP3_FRAME)),
      aacFrameTag(20),
    );
    assert.equal(run.packets.length, 1);
    assert.equal(run.converter.stats.audioBeforeConfig, 1);
  });
});

describe('FLV audio the converter cannot carry', () => {
  it('reports Nellymoser, G.711, Speex and Enhanced Opus, each once per change', () => {
    const run = runConverter(
      audioTag(0, audio(SOUND.nellymoser, Uint8Array.of(1))),
      audioTag(20, audio(SOUND.nellymoser, Uint8Array.of(1))),
      audioTag(40, audio(SOUND.alaw, Uint8Array.of(1))),
      audioTag(60, audio(SOUND.speex, Uint8Array.of(1))),
      audioTag(80, enhancedAudio(0, 'Opus', Uint8Array.of(1))),
      audioTag(80, concat([(SOUND.exHeader << 4) | 5, 0x00], Buffer.from('fLaC'))),
    );
    assert.deepEqual(
      run.events.map((e) => (e.type === 'unsupported' ? `${e.media}:${e.codec}` : e.type)),
      ['audio:nellymoser', 'audio:g711-alaw', 'audio:speex', 'audio:fourcc Opus', 'audio:multitrack fLaC'],
    );
    assert.equal(run.converter.stats.unsupported, 6);
    assert.equal(run.packets.length, 0);
    assert.deepEqual(run.converter.tracks, []);
  });
});
