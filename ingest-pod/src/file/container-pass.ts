import type { TsFilter } from '../mpegts/demuxer-api.js';
import type { InputReader, ReaderEvent } from '../reader/reader-api.js';
import { type CreateDemuxer, TsPacketReader } from '../reader/ts-packet-reader.js';
import type { ContainerKind } from './container-kind.js';
import { FileSource } from './file-source.js';

export interface ContainerPassOptions {
  onEvent?: (event: ReaderEvent) => void;
  /** A track the reader does not carry; the file reader reports it once, not once per loop. */
  onUnsupportedTrack?: (detail: string) => void;
}

/**
 * One pass over a file in `kind`, as a reader that ends at the end of the file. The MP4 and FLV
 * readers load with their first file: the MP4 parser is the largest library a pod could carry.
 */
export async function createContainerPass(
  kind: ContainerKind,
  path: string,
  options: ContainerPassOptions & { filter?: TsFilter; createDemuxer?: CreateDemuxer },
): Promise<InputReader> {
  switch (kind) {
    case 'ts':
      return new TsPacketReader(new FileSource(path), options.filter, options.onEvent, options.createDemuxer);
    case 'mp4':
      return new (await import('./mp4-pass.js')).Mp4Pass(path, options);
    case 'flv':
      return new (await import('./flv-pass.js')).FlvPass(path, options);
  }
}
