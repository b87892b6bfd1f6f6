import { after, before } from 'node:test';
import { makeTsFile, type TsFileOptions } from './media.js';
import { makeTempDir, type TempDir } from './peers.js';

export interface TsFileFixture {
  /** The temp dir the file is in (free for other files of the tests). */
  readonly dir: string;
  readonly file: string;
}

/** One generated TS file in a temp dir: made before the tests of the calling file, removed after them. */
export function tsFileFixture(options: TsFileOptions): TsFileFixture {
  let dir: TempDir | undefined;
  let file: string | undefined;
  before(async () => {
    dir = await makeTempDir();
    file = await makeTsFile(dir.path, options);
  });
  after(() => dir?.remove());
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('tsFileFixture: used before its before() hook ran');
    return value;
  };
  return {
    get dir() {
      return made(dir).path;
    },
    get file() {
      return made(file);
    },
  };
}
