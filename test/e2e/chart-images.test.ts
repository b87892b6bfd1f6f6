// The chart's images. There is no container engine here, so the Dockerfiles are checked for what
// can be checked without one (sources exist and survive .dockerignore, non-root, entrypoints the
// chart and operator rely on), and the build step they share (docker/bundle.sh) is run for real.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTsFile } from '../../ingest-pod/test/support/media.js';
import { freeTcpPort, freeUdpPort, spawnPeer, waitFor } from '../../ingest-pod/test/support/peers.js';
import { ffmpegSrtListener } from '../../ingest-pod/test/support/srt-peers.js';
import { REPO_ROOT } from '../../tools/cluster/index.js';
import { defaultValues, run, runOk } from './chart-helm.js';

interface Dockerfile {
  file: string;
  text: string;
  image: string;
}

const IMAGES: Dockerfile[] = [
  { file: 'docker/operator.Dockerfile', image: 'operator' },
  { file: 'docker/ingest-pod.Dockerfile', image: 'ingest' },
].map(({ file, image }) => {
  const values = defaultValues() as Record<string, { image: { repository: string } }>;
  return {
    file,
    text: fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'),
    image: values[image]!.image.repository,
  };
});

/** .dockerignore patterns as regular expressions over repository-relative paths. */
function dockerIgnore(): RegExp[] {
  return fs
    .readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((pattern) => {
      const anywhere = pattern.startsWith('**/');
      const body = (anywhere ? pattern.slice(3) : pattern)
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*');
      return new RegExp(`${anywhere ? '(^|/)' : '^'}${body}(/|$)`);
    });
}

/** Instructions as [keyword, rest], with line continuations joined. */
function instructions(text: string): [string, string][] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      return [line.slice(0, space).toUpperCase(), line.slice(space + 1).trim()] as [string, string];
    });
}

describe('Dockerfiles', () => {
  const ignored = dockerIgnore();

  for (const { file, text, image } of IMAGES) {
    test(`${file}: build instructions name the chart's image ${image}`, () => {
      assert.match(text, new RegExp(`docker build -f ${file} -t ${image}:`));
    });

    test(`${file}: multi-stage on Node 24 slim, final stage non-root by uid`, () => {
      const steps = instructions(text);
      const froms = steps.filter(([k]) => k === 'FROM');
      assert.ok(froms.length >= 2, 'multi-stage');
      assert.match(text, /ARG NODE_IMAGE=node:24-[a-z]+-slim\n/);
      for (const [, from] of froms) assert.match(from, /^\$\{NODE_IMAGE\}/);
      const lastFrom = steps.map(([k]) => k).lastIndexOf('FROM');
      const user = steps.slice(lastFrom).find(([k]) => k === 'USER');
      assert.ok(user, 'the final stage sets USER');
      const uid = Number(user[1].split(':')[0]);
      assert.ok(Number.isInteger(uid) && uid > 0, `USER ${user[1]} must be a numeric non-root uid`);
    });

    test(`${file}: every COPY source exists and is not excluded by .dockerignore`, () => {
      const sources = instructions(text)
        .filter(([k, rest]) => k === 'COPY' && !rest.startsWith('--from'))
        .flatMap(([, rest]) => rest.split(/\s+/).slice(0, -1));
      assert.ok(sources.length > 0);
      for (const source of sources) {
        assert.ok(fs.existsSync(path.join(REPO_ROOT, source)), `${source} exists`);
        const blocker = ignored.find((pattern) => pattern.test(source.replace(/\/$/, '')));
        assert.equal(blocker, undefined, `${source} is excluded by .dockerignore (${blocker})`);
      }
    });
  }

  test('the ingest image runs `tributary`, so `command: [tributary, ingest]` and `args: [ingest]` both work', () => {
    const ingest = IMAGES.find((i) => i.file.includes('ingest-pod'))!;
    assert.match(ingest.text, /ENTRYPOINT \["tributary"\]/);
    assert.match(ingest.text, /CMD \["ingest"\]/);
    assert.match(ingest.text, /libsrt1\.5-openssl/);
  });
});

/** The relative and package names a bundle file imports statically. */
function importsOf(file: string): string[] {
  const code = fs.readFileSync(file, 'utf8');
  return [...code.matchAll(/^(?:import|export) [^;]*? from ["']([^"']+)["']/gm)].map((m) => m[1]!);
}

/** The bundle files an entry loads before it runs: itself and its static imports, transitively. */
function staticImportClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const name of importsOf(file))
      if (name.startsWith('.')) visit(path.resolve(path.dirname(file), name));
  };
  visit(entry);
  return [...seen];
}

describe('docker/bundle.sh (the images build step)', () => {
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bundle-'));
    // The bundle loads third-party packages from node_modules next to it, as in the image.
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const bundle = (entry: string, out: string, ...workspaces: string[]) =>
    runOk('bash', [path.join(REPO_ROOT, 'docker/bundle.sh'), entry, path.join(dir, out), ...workspaces]);

  test('the ingest bundle is one self-contained file (no node_modules), and probes a real stream', async () => {
    // As the ingest Dockerfile does: no workspace named, so third-party packages are bundled too.
    const standalone = path.join(dir, 'standalone');
    fs.mkdirSync(standalone);
    await runOk('bash', [
      path.join(REPO_ROOT, 'docker/bundle.sh'),
      'ingest-pod/src/cli.ts',
      path.join(standalone, 'tributary.mjs'),
    ]);
    const loadedAtStart = staticImportClosure(path.join(standalone, 'tributary.mjs'));
    const packages = loadedAtStart.flatMap((file) => importsOf(file).filter((name) => !name.startsWith('.')));
    assert.deepEqual(
      packages.filter((name) => !name.startsWith('node:')),
      [],
      'only Node built-ins and its own chunks are imported',
    );
    // What a pod reading UDP loads before its first input opens: no other protocol's code.
    const startCode = loadedAtStart.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    for (const lazy of [
      'node_modules/mp4box',
      'ingest-pod/src/rtsp/rtsp-reader.ts',
      'ingest-pod/src/rtmp/rtmp-reader.ts',
      'node_modules/@nats-io/jetstream',
    ])
      assert.ok(!startCode.includes(`// ${lazy}`), `${lazy} loads only when used`);
    for (const file of fs.readdirSync(standalone, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.mjs')) continue;
      const text = fs.readFileSync(path.join(standalone, file), 'utf8');
      assert.doesNotMatch(
        text,
        /[\u0100-\uffff]/,
        `${file}: a character beyond Latin-1 doubles its memory in V8`,
      );
    }
    const usage = await run(process.execPath, [path.join(standalone, 'tributary.mjs')]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: tributary <command>/);
    fs.mkdirSync(path.join(dir, 'media'));
    const media = await makeTsFile(path.join(dir, 'media'), { seconds: 2 });
    const url = `file://media/${path.basename(media)}?loop=false`;
    const probe = await runOk(process.execPath, [
      path.join(standalone, 'tributary.mjs'),
      'probe',
      url,
      '--vod-root',
      dir,
      '--json',
    ]);
    assert.match(probe, /h264/);
    assert.match(probe, /aac/);

    // The buffer finds its console where the Dockerfile puts it (console/, hls.js in console/vendor/).
    fs.cpSync(path.join(REPO_ROOT, 'ingest-pod/console'), path.join(standalone, 'console'), {
      recursive: true,
    });
    fs.mkdirSync(path.join(standalone, 'console/vendor'));
    fs.copyFileSync(
      path.join(REPO_ROOT, 'node_modules/hls.js/dist/hls.min.js'),
      path.join(standalone, 'console/vendor/hls.min.js'),
    );
    const [mediaPort, metricsPort] = [await freeTcpPort(), await freeTcpPort()];
    const buffer = spawnPeer(process.execPath, [
      path.join(standalone, 'tributary.mjs'),
      ...[
        'buffer',
        '--host',
        '127.0.0.1',
        '--port',
        String(mediaPort),
        '--metrics-port',
        String(metricsPort),
      ],
      ...['--nats-url', 'nats://127.0.0.1:1', '--replica', 'bundle-test'],
    ]);
    try {
      const page = await waitFor(
        async () => (await fetch(`http://127.0.0.1:${mediaPort}/`).catch(() => undefined))?.text(),
        'the bundled buffer to serve its console',
      );
      assert.match(page, /<title>Tributary console<\/title>/);
      const hlsJs = await fetch(`http://127.0.0.1:${mediaPort}/console/hls.min.js`);
      assert.equal(hlsJs.status, 200);
      assert.ok((await hlsJs.text()).length > 100_000, 'hls.js is served');
    } finally {
      await buffer.stop();
    }

    // SRT loads koffi on first use, from node_modules next to the bundle (the image ships it there).
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(standalone, 'node_modules'));
    const port = await freeUdpPort();
    const listener = ffmpegSrtListener(media, port, { loop: true });
    try {
      const srt = await runOk(process.execPath, [
        path.join(standalone, 'tributary.mjs'),
        'probe',
        `srt://127.0.0.1:${port}`,
        '--duration',
        '2',
        '--json',
      ]);
      assert.match(srt, /h264/);
    } finally {
      await listener.stop();
    }
  });

  test('the operator bundle loads all its modules and answers --help', async () => {
    await bundle('operator/src/main.ts', 'operator.mjs', 'operator', 'crds', 'runtime');
    const code = fs.readFileSync(path.join(dir, 'operator.mjs'), 'utf8');
    assert.doesNotMatch(code, /from ["']@tributary\//);
    assert.match(code, /from ["']pino["']/, 'third-party packages stay external');
    assert.doesNotMatch(code, /@kubernetes\/client-node/, 'client-node is only a source of types');
    const help = await runOk(process.execPath, [path.join(dir, 'operator.mjs'), '--help']);
    assert.match(help, /usage: tributary-operator/);
  });
});
