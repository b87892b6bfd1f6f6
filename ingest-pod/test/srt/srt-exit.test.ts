import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTsFile } from '../support/media.js';
import { freeUdpPort, makeTempDir, type TempDir } from '../support/peers.js';
import { ffmpegSrtListener } from '../support/srt-peers.js';

// Open SRT sockets never hang process exit, and a process with none left ends by itself.

let dir: TempDir;
let file: string;
before(async () => {
  dir = await makeTempDir();
  file = await makeTsFile(dir.path, { seconds: 2 });
});
after(() => dir.remove());

const CHILD = fileURLToPath(new URL('./exit-child.ts', import.meta.url));

/** Runs the child; resolves with its exit code and output, or null if it had to be killed. */
function runChild(
  mode: string,
  port: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

for (const [mode, expected] of [
  ['exit-while-reading', 0],
  ['throw-while-reading', 1],
  ['closed', 0],
] as const) {
  test(`${mode}: the process exits (code ${expected})`, async () => {
    const port = await freeUdpPort();
    const sender = ffmpegSrtListener(file, port, { loop: true });
    try {
      const result = await runChild(mode, port);
      assert.match(result.stdout, /ready/, result.stderr);
      assert.equal(result.code, expected, result.stderr);
    } finally {
      await sender.stop();
    }
  });
}

for (const mode of ['exit-while-connecting', 'listener-closed']) {
  test(`${mode}: the process exits`, async () => {
    const result = await runChild(mode, await freeUdpPort());
    assert.match(result.stdout, /ready/, result.stderr);
    assert.equal(result.code, 0, result.stderr);
  });
}
