import type { TsFilter } from '../mpegts/demuxer-api.js';
import type { InputReader, ReaderEvent } from '../reader/reader-api.js';
import { type CreateDemuxer, TsPacketReader } from '../reader/ts-packet-reader.js';
import type { ContainerKind } from './container-kind.js';
import { FileSource } from './file-source.js';
import { FlvPass } from './flv-pass.js';
import { Mp4Pass } from './mp4-pass.js';

export interface ContainerPassOptions {
  onEvent?: (event: ReaderEvent) => void;
  /** A track the reader does not carry; the file reader reports it once, not once per loop. */
  onUnsupportedTrack?: (detail: string) => void;
}

/** One pass over a file in `kind`, as a reader that ends at the end of the file. */
export function createContainerPass(
  kind: ContainerKind,
  path: string,
  options: ContainerPassOptions & { filter?: TsFilter; createDemuxer?: CreateDemuxer },
): InputReader {
  switch (kind) {
    case 'ts':
      return new TsPacketReader(new FileSource(path), options.filter, options.onEvent, options.createDemuxer);
    case 'mp4':
      return new Mp4Pass(path, options);
    case 'flv':
      return new FlvPass(path, options);
  }
}
