import { basename } from 'node:path';
import type { AVPacket, TrackInfo } from '../avpacket.js';
import { FlvConverter, type FlvEvent, FlvFileReader } from '../flv/index.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, ReaderCounters } from '../reader/reader-api.js';
import { converterEventReporter } from '../rtmp/converter-events.js';
import type { ContainerPassOptions } from './container-pass.js';
import { FileSource } from './file-source.js';

const PREVIOUS_TAG_SIZE_BYTES = 4;

/** One pass over an FLV file: its tags through the same converter RTMP uses. */
export class FlvPass implements InputReader {
  private readonly source: FileSource;
  private tags = new FlvFileReader();
  private converter = new FlvConverter();
  private bytes = 0;
  private ended = false;
  private reportedRevision = 0;
  private readonly name: string;

  constructor(
    path: string,
    private readonly options: ContainerPassOptions = {},
  ) {
    this.source = new FileSource(path);
    this.name = basename(path);
  }

  get tracks(): readonly TrackInfo[] {
    return this.converter.tracks;
  }

  get counters(): Readonly<ReaderCounters> {
    return {
      bytes: this.bytes,
      tsPackets: 0,
      ccErrors: 0,
      unknownStreams: this.converter.unsupportedTracks.length,
      parameterSetsRefused: this.converter.stats.parameterSetsRefused,
    };
  }

  async open(signal: AbortSignal): Promise<void> {
    const events = converterEventReporter(this.options.onEvent);
    const onEvent = (event: FlvEvent) => {
      if (event.type !== 'unsupported') return events(event);
      this.options.onUnsupportedTrack?.(
        `${this.name}: ${event.media} codec ${event.codec} is not read: FLV files are read for H.264, H.265, AV1, AAC and MP3`,
      );
    };
    this.tags = new FlvFileReader();
    this.converter = new FlvConverter({ onEvent });
    this.reportedRevision = this.converter.tracksRevision;
    this.bytes = 0;
    this.ended = false;
    await this.source.open(signal);
  }

  async read(): Promise<AVPacket[] | null> {
    for (;;) {
      if (this.ended) return null;
      const chunks = await this.source.read();
      if (chunks === null) {
        this.ended = true;
        // A file ends with the PreviousTagSize of its last tag: only more than that is a cut-off tag.
        if (this.tags.pendingBytes > PREVIOUS_TAG_SIZE_BYTES) {
          this.options.onEvent?.({
            type: 'demux',
            detail: `${this.name}: the last ${this.tags.pendingBytes} bytes are a cut-off FLV tag`,
          });
        }
        return null;
      }
      const out: AVPacket[] = [];
      for (const chunk of chunks) {
        this.bytes += chunk.length;
        for (const tag of this.tags.push(chunk)) for (const p of this.converter.push(tag)) out.push(p);
      }
      if (this.tags.error !== undefined) {
        throw new ReaderError(`${this.name}: ${this.tags.error} (no 'FLV' signature at its start)`, false);
      }
      this.noticeTracks();
      if (out.length > 0) return out;
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private noticeTracks(): void {
    if (this.converter.tracksRevision === this.reportedRevision) return;
    this.reportedRevision = this.converter.tracksRevision;
    this.options.onEvent?.({ type: 'tracks', tracks: this.converter.tracks });
  }
}
