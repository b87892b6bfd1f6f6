// The movie box of an MP4/QuickTime file, found by walking the top-level boxes (so a moov at the
// end costs one seek, not a read of the media) and parsed with mp4box into per-track sample lists.
import type { FileHandle } from 'node:fs/promises';
import { createFile, MP4BoxBuffer } from 'mp4box';
import { ReaderError } from '../reader/packet-reader.js';
import { BOX_HEADER_BYTES, readBoxHeader } from './mp4-boxes.js';
import { findNestedBox, readEsds } from './mp4-esds.js';
import { type EditEntry, sampleTimes, trackShift } from './mp4-timeline.js';

/** Far above any real sample table (a two-hour film's moov is tens of MiB). */
const MAX_MOOV_BYTES = 512 * 1024 * 1024;

/** What a track carries, as far as the reader cares. */
export type Mp4TrackCodec =
  | { kind: 'h264' | 'h265'; config: Uint8Array }
  | { kind: 'aac'; config: Uint8Array }
  | { kind: 'unsupported'; name: string };

/** One track's samples in decoding order, timestamps already in 90 kHz on the presentation timeline. */
export interface Mp4Track {
  id: number;
  /** 'video', 'audio', 'subtitles', … (from the handler type). */
  media: string;
  codec: Mp4TrackCodec;
  offsets: Float64Array;
  sizes: Uint32Array;
  dts: Float64Array;
  pts: Float64Array;
  sync: Uint8Array;
}

const MEDIA_BY_HANDLER: Record<string, string> = {
  vide: 'video',
  soun: 'audio',
  sbtl: 'subtitles',
  subt: 'subtitles',
  text: 'text',
  hint: 'hint',
  meta: 'metadata',
  tmcd: 'timecode',
};

/** mp4box's box objects, as far as they are read here. */
interface RawBox {
  type: string;
  start: number;
  size: number;
  hdr_size: number;
}
interface SampleEntry extends RawBox {
  avcC?: RawBox;
  hvcC?: RawBox;
}
interface Trak {
  tkhd: { track_id: number };
  mdia: {
    hdlr: { handler: string };
    mdhd: { timescale: number };
    minf: { stbl: { stsd: { entries: SampleEntry[] } } };
  };
  edts?: { elst?: { entries: { segment_duration: number; media_time: number }[] } };
  samples: {
    offset: number;
    size: number;
    dts: number;
    cts: number;
    is_sync: boolean;
    description_index: number;
  }[];
}
interface Moov {
  mvhd: { timescale: number };
  mvex?: unknown;
  traks: Trak[];
}

const MPEG4_AUDIO = 0x40;
const MPEG2_AAC = [0x66, 0x67, 0x68];

function bodyOf(box: RawBox, bytes: Uint8Array): Uint8Array {
  return bytes.slice(box.start + box.hdr_size, box.start + box.size);
}

function aacConfig(entry: SampleEntry, bytes: Uint8Array): Uint8Array | string {
  const esds = findNestedBox(bytes.subarray(entry.start, entry.start + entry.size), 'esds');
  if (esds === undefined) return 'mp4a without an esds box';
  const audio = readEsds(esds);
  if (typeof audio === 'string') return audio;
  if (audio.oti !== MPEG4_AUDIO && !MPEG2_AAC.includes(audio.oti)) {
    return audio.oti === 0x69 || audio.oti === 0x6b ? 'mp3' : `mp4a object type 0x${audio.oti.toString(16)}`;
  }
  if (audio.specific.length === 0) return 'aac without an AudioSpecificConfig';
  return audio.specific;
}

function codecOf(trak: Trak, bytes: Uint8Array): Mp4TrackCodec {
  const entries = trak.mdia.minf.stbl.stsd.entries;
  const entry = entries[0];
  if (entry === undefined) return { kind: 'unsupported', name: 'no sample description' };
  if (entries.length > 1) return { kind: 'unsupported', name: `${entries.length} sample descriptions` };
  switch (entry.type) {
    case 'avc1':
    case 'avc3':
      return entry.avcC
        ? { kind: 'h264', config: bodyOf(entry.avcC, bytes) }
        : { kind: 'unsupported', name: `${entry.type} without avcC` };
    case 'hvc1':
    case 'hev1':
      return entry.hvcC
        ? { kind: 'h265', config: bodyOf(entry.hvcC, bytes) }
        : { kind: 'unsupported', name: `${entry.type} without hvcC` };
    case 'mp4a': {
      const config = aacConfig(entry, bytes);
      return typeof config === 'string' ? { kind: 'unsupported', name: config } : { kind: 'aac', config };
    }
    default:
      return { kind: 'unsupported', name: entry.type };
  }
}

function trackOf(trak: Trak, movieTimescale: number, bytes: Uint8Array): Mp4Track {
  const timescale = trak.mdia.mdhd.timescale;
  const edits: EditEntry[] = (trak.edts?.elst?.entries ?? []).map((e) => ({
    segmentDuration: e.segment_duration,
    mediaTime: e.media_time,
  }));
  const shift = trackShift(edits, movieTimescale);
  const n = trak.samples.length;
  const track: Mp4Track = {
    id: trak.tkhd.track_id,
    media: MEDIA_BY_HANDLER[trak.mdia.hdlr.handler] ?? `'${trak.mdia.hdlr.handler}'`,
    codec: codecOf(trak, bytes),
    offsets: new Float64Array(n),
    sizes: new Uint32Array(n),
    dts: new Float64Array(n),
    pts: new Float64Array(n),
    sync: new Uint8Array(n),
  };
  trak.samples.forEach((s, i) => {
    const times = sampleTimes(s.dts, s.cts, timescale, shift);
    track.offsets[i] = s.offset;
    track.sizes[i] = s.size;
    track.dts[i] = times.dts;
    track.pts[i] = times.pts;
    track.sync[i] = s.is_sync ? 1 : 0;
  });
  return track;
}

/** Where the moov box is: walks the top-level boxes from the start, one header read per box. */
async function findMoov(
  handle: FileHandle,
  fileSize: number,
  name: string,
): Promise<{ start: number; size: number }> {
  const head = Buffer.alloc(BOX_HEADER_BYTES);
  let offset = 0;
  while (offset + 8 <= fileSize) {
    const { bytesRead } = await handle.read(head, 0, BOX_HEADER_BYTES, offset);
    const box = readBoxHeader(head.subarray(0, bytesRead), offset, fileSize);
    if (typeof box === 'string') throw new ReaderError(`${name}: not a readable MP4 file: ${box}`, false);
    if (box.type === 'moov') return { start: offset, size: box.size };
    if (box.type === 'moof') {
      throw new ReaderError(
        `${name}: fragmented MP4 (moof boxes) is not read; remux it: ffmpeg -i ${name} -c copy -movflags +faststart out.mp4`,
        false,
      );
    }
    offset += box.size;
  }
  throw new ReaderError(
    `${name}: no moov box (an unfinished recording?); only complete MP4/QuickTime files can be read`,
    false,
  );
}

/** An ftyp box in front of the moov: mp4box wants one before it reports the movie. */
const FTYP = Uint8Array.of(0, 0, 0, 16, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 0, 0);

/** Reads the movie box of an open file and returns its tracks' sample lists. */
export async function readMp4Movie(handle: FileHandle, name: string): Promise<Mp4Track[]> {
  const { size: fileSize } = await handle.stat();
  const moov = await findMoov(handle, fileSize, name);
  if (moov.size > MAX_MOOV_BYTES || moov.start + moov.size > fileSize) {
    throw new ReaderError(
      `${name}: its moov box of ${moov.size} bytes is cut off or too large to read`,
      false,
    );
  }
  const bytes = new Uint8Array(new ArrayBuffer(FTYP.length + moov.size));
  bytes.set(FTYP);
  await handle.read(bytes, FTYP.length, moov.size, moov.start);
  const file = createFile();
  let parsed: Moov | undefined;
  // mp4box prints boxes it does not know (QuickTime metadata, 'wave' padding) with console.error,
  // at a level its Log cannot turn off; they are not errors here and would break the JSON log.
  const consoleError = console.error;
  console.error = () => {};
  try {
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.buffer, 0), true);
    parsed = (file as unknown as { moov?: Moov }).moov;
  } catch (err) {
    throw new ReaderError(`${name}: its moov box cannot be parsed: ${(err as Error).message}`, false, {
      cause: err,
    });
  } finally {
    console.error = consoleError;
  }
  if (parsed === undefined) throw new ReaderError(`${name}: its moov box cannot be parsed`, false);
  if (parsed.mvex !== undefined) {
    throw new ReaderError(
      `${name}: fragmented MP4 (mvex) is not read; remux it: ffmpeg -i ${name} -c copy -movflags +faststart out.mp4`,
      false,
    );
  }
  return parsed.traks.map((trak) => trackOf(trak, parsed.mvhd.timescale, bytes));
}
