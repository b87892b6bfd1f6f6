import assert from 'node:assert/strict';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chooseContainer } from '../../src/file/container-kind.js';
import { parseFileUrl } from '../../src/file/file-url.js';
import { resolveVodFile } from '../../src/file/vod-path.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { makeTsFile } from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';

let dir: TempDir;
let root: string;
let clip: string;

before(async () => {
  dir = await makeTempDir();
  root = join(dir.path, 'vod');
  await mkdir(join(root, 'movies', 'sub'), { recursive: true });
  await mkdir(join(root, 'other'), { recursive: true });
  clip = await makeTsFile(join(root, 'movies', 'sub'), { seconds: 1, name: 'clip.ts' });
  await writeFile(join(root, 'other', 'secret.ts'), 'secret');
  await writeFile(join(dir.path, 'outside.ts'), 'outside');
  await symlink(join(dir.path, 'outside.ts'), join(root, 'movies', 'escape.ts'));
  await symlink('../other', join(root, 'movies', 'sideways'));
  await symlink('sub/clip.ts', join(root, 'movies', 'inside.ts'));
  // ConfigMap volumes look like this: files are symlinks into a hidden ..data directory.
  await mkdir(join(root, 'cm', '..2026_11_23', 'x'), { recursive: true });
  await copyFile(clip, join(root, 'cm', '..2026_11_23', 'clip.ts'));
  await symlink('..2026_11_23', join(root, 'cm', '..data'));
  await symlink('..data/clip.ts', join(root, 'cm', 'clip.ts'));
  await writeFile(join(root, 'movies', 'film.mp4'), 'not really');
  await writeFile(join(root, 'movies', 'noext'), 'plain text, not TS');
  await copyFile(clip, join(root, 'movies', 'capture.bin'));
});
after(() => dir.remove());

const resolve = (url: string) => resolveVodFile(root, parseFileUrl(url));

test('resolves below the mount, following symlinks that stay inside it', async () => {
  assert.equal(await resolve('file://movies/sub/clip.ts'), clip);
  assert.equal(await resolve('file://movies/inside.ts'), clip);
  assert.match(await resolve('file://cm/clip.ts'), /cm\/\.\.2026_11_23\/clip\.ts$/);
});

test('symlinks that leave the mount are rejected like ..', async () => {
  for (const url of ['file://movies/escape.ts', 'file://movies/sideways/secret.ts']) {
    await assert.rejects(
      resolve(url),
      (err: unknown) =>
        err instanceof ReaderError &&
        !err.retriable &&
        /path escapes mount root through a symlink/.test(err.message),
      url,
    );
  }
});

test('missing mount, missing file, directory, no VOD root: each says so', async () => {
  const cases: [string, RegExp, string?][] = [
    ['file://nomount/x.ts', /VOD mount 'nomount' not found under /],
    ['file://movies/missing.ts', /file:\/\/movies\/missing\.ts: no such file/],
    ['file://movies/sub', /is a directory, not a file/],
  ];
  for (const [url, rule] of cases) {
    await assert.rejects(
      resolve(url),
      (err: unknown) => err instanceof ReaderError && rule.test(err.message),
      url,
    );
  }
  await assert.rejects(
    resolveVodFile(undefined, parseFileUrl('file://movies/sub/clip.ts')),
    /file:\/\/ inputs need a VOD root \(\/vod in the pod, --vod-root in the CLI\)/,
  );
});

test('containers: by extension; unknown extensions sniffed; others refused naming file and containers', async () => {
  assert.equal(await chooseContainer(clip), 'ts');
  assert.equal(await chooseContainer(join(root, 'movies', 'capture.bin')), 'ts');
  assert.equal(await chooseContainer(join(root, 'movies', 'film.mp4')), 'mp4');
  assert.equal(await chooseContainer(join(root, 'movies', 'film.MOV')), 'mp4');
  assert.equal(await chooseContainer(join(root, 'movies', 'show.flv')), 'flv');
  await assert.rejects(
    chooseContainer(join(root, 'movies', 'film.mkv')),
    /^ReaderError: unsupported container \.mkv \(film\.mkv\): only MPEG-TS \(\.ts, \.m2ts, \.mts\), MP4\/QuickTime \(\.mp4, \.m4v, \.mov\) and FLV \(\.flv\) are read$/,
  );
  await assert.rejects(
    chooseContainer(join(root, 'movies', 'noext')),
    /unsupported container: noext is none of MPEG-TS .* \(checked its first bytes\)/,
  );
});
