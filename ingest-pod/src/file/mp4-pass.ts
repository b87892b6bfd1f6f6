import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AVPacket, TrackInfo } from '../avpacket.js';
import { FlvReporter } from '../flv/flv-api.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, ReaderCounters } from '../reader/reader-api.js';
import { converterEventReporter } from '../rtmp/converter-events.js';
import type { ContainerPassOptions } from './container-pass.js';
import { openForReading } from './file-source.js';
import { type Mp4Track, readMp4Movie } from './mp4-movie.js';
import { Mp4SampleConverter } from './mp4-sample-converter.js';
import { SampleOrder } from './mp4-timeline.js';

/**
 * Bytes read from the file at once; samples inside the window need no further read. Each track has
 * its own window, so a badly interleaved file (all video, then all audio) is not read twice over.
 */
const WINDOW_BYTES = 1024 * 1024;
/** Samples per read() batch, so one call never holds the event loop for long. */
const BATCH_SAMPLES = 64;

/** Reads byte ranges of a file through a window, so neighbouring samples cost one read. */
class WindowedFile {
  private window = new Uint8Array(0);
  private windowStart = 0;
  bytesRead = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly name: string,
  ) {}

  async slice(offset: number, size: number): Promise<Uint8Array> {
    const from = offset - this.windowStart;
    if (from >= 0 && from + size <= this.window.length) return this.window.subarray(from, from + size);
    const length = Math.max(WINDOW_BYTES, size);
    const buffer = new Uint8Array(length);
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(buffer, 0, length, offset));
    } catch (err) {
      throw new ReaderError(`reading ${this.name}: ${(err as Error).message}`, true, { cause: err });
    }
    this.bytesRead += bytesRead;
    if (bytesRead < size) {
      throw new ReaderError(`${this.name}: a sample at byte ${offset} runs past the end of the file`, false);
    }
    this.window = buffer.subarray(0, bytesRead);
    this.windowStart = offset;
    return this.window.subarray(0, size);
  }
}

/** One pass over an MP4/MOV/M4V file: H.264, H.265 and AAC samples in DTS order as AVPackets. */
export class Mp4Pass implements InputReader {
  private handle: FileHandle | undefined;
  private windows: WindowedFile[] = [];
  private tracksRead: Mp4Track[] = [];
  private converters: Mp4SampleConverter[] = [];
  private order: SampleOrder | undefined;
  private reporter = new FlvReporter(undefined);
  private unsupported = 0;
  private reportedTracks = '[]';
  private readonly name: string;

  constructor(
    private readonly path: string,
    private readonly options: ContainerPassOptions = {},
  ) {
    this.name = basename(path);
  }

  get tracks(): readonly TrackInfo[] {
    const list: TrackInfo[] = [];
    for (const c of this.converters) {
      const info = c.track;
      if (info !== undefined) list.push(info);
    }
    return list;
  }

  get counters(): Readonly<ReaderCounters> {
    return {
      bytes: this.windows.reduce((n, w) => n + w.bytesRead, 0),
      tsPackets: 0,
      ccErrors: 0,
      unknownStreams: this.unsupported,
      parameterSetsRefused: this.reporter.stats.parameterSetsRefused,
    };
  }

  async open(_signal: AbortSignal): Promise<void> {
    await this.close();
    this.handle = await openForReading(this.path);
    this.reporter = new FlvReporter(converterEventReporter(this.options.onEvent));
    try {
      this.start(await readMp4Movie(this.handle, this.name));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private start(tracks: Mp4Track[]): void {
    this.tracksRead = [];
    this.converters = [];
    this.unsupported = 0;
    for (const track of tracks) {
      const converter =
        track.codec.kind === 'unsupported'
          ? undefined
          : new Mp4SampleConverter(track.id, track.codec, this.reporter);
      const problem = track.codec.kind === 'unsupported' ? track.codec.name : converter?.problem;
      if (converter === undefined || problem) {
        this.unsupported++;
        this.options.onUnsupportedTrack?.(
          `${this.name}: track ${track.id} (${track.media}, ${problem}) is not read: only H.264, H.265 and AAC are`,
        );
        continue;
      }
      this.tracksRead.push(track);
      this.converters.push(converter);
    }
    if (this.tracksRead.length === 0) {
      throw new ReaderError(`${this.name}: no H.264, H.265 or AAC track to read`, false);
    }
    const handle = this.handle!;
    this.windows = this.tracksRead.map(() => new WindowedFile(handle, this.name));
    this.order = new SampleOrder(this.tracksRead.map((t) => t.dts));
    this.noticeTracks();
  }

  async read(): Promise<AVPacket[] | null> {
    const order = this.order;
    if (order === undefined) return null;
    for (;;) {
      const out: AVPacket[] = [];
      let samples = 0;
      for (let next = order.take(); next !== null; next = samples < BATCH_SAMPLES ? order.take() : null) {
        samples++;
        const [t, i] = next;
        const track = this.tracksRead[t]!;
        const data = await this.windows[t]!.slice(track.offsets[i]!, track.sizes[i]!);
        this.converters[t]!.sample(data, track.sync[i] === 1, track.dts[i]!, track.pts[i]!, out);
      }
      this.noticeTracks();
      if (out.length > 0) return out;
      if (samples === 0) return null;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.order = undefined;
    await handle?.close();
  }

  private noticeTracks(): void {
    const tracks = this.tracks;
    const seen = JSON.stringify(tracks);
    if (seen === this.reportedTracks) return;
    this.reportedTracks = seen;
    this.options.onEvent?.({ type: 'tracks', tracks });
  }
}
