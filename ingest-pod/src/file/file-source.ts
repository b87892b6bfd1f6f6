import { type FileHandle, open } from 'node:fs/promises';
import type { ByteSource } from '../reader/byte-source.js';
import { ReaderError } from '../reader/packet-reader.js';

const CHUNK_BYTES = 188 * 1024;

/** Opens a file of a VodMount to read; failing is retried (the volume may come back). */
export async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    throw new ReaderError(`cannot open ${path}: ${(err as Error).message}`, true, { cause: err });
  }
}

/** One pass over a file, in chunks; end of file is end of stream (looping is the reader's job). */
export class FileSource implements ByteSource {
  readonly dropped = 0;
  private handle: FileHandle | undefined;

  constructor(private readonly path: string) {}

  async open(_signal: AbortSignal): Promise<void> {
    await this.close();
    this.handle = await openForReading(this.path);
  }

  async read(): Promise<Uint8Array[] | null> {
    const handle = this.handle;
    if (handle === undefined) return null;
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null));
    } catch (err) {
      if (this.handle !== handle) return null;
      throw new ReaderError(`reading ${this.path}: ${(err as Error).message}`, true, { cause: err });
    }
    return bytesRead === 0 ? null : [buffer.subarray(0, bytesRead)];
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
