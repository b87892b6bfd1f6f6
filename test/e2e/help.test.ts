// Every command a user runs answers --help and -h with its usage on stdout and exit 0.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../tools/cluster/binaries.js';

const node = (file: string) => [process.execPath, '--import', 'tsx', path.join(REPO_ROOT, file)];
const commands: [string, string[], RegExp][] = [
  ['scripts/setup.sh', ['bash', path.join(REPO_ROOT, 'scripts/setup.sh')], /^Installs what the demo/],
  ['scripts/test.sh', ['bash', path.join(REPO_ROOT, 'scripts/test.sh')], /^The whole suite/],
  ['scripts/demo.sh', ['bash', path.join(REPO_ROOT, 'scripts/demo.sh')], /^The one-command demo/],
  [
    'scripts/kube-binaries.sh',
    ['bash', path.join(REPO_ROOT, 'scripts/kube-binaries.sh')],
    /^Builds, or reuses/,
  ],
  ['npm run bench', node('bench/run.ts'), /^usage: npm run bench/],
  ['npm run cluster:up', node('tools/cluster/cli.ts'), /^usage: cli.ts up/],
  ['tributary-operator', node('operator/src/main.ts'), /^usage: tributary-operator/],
];

for (const [name, [command, ...args], usage] of commands) {
  test(`${name} --help and -h: usage on stdout, exit 0`, () => {
    for (const flag of ['--help', '-h']) {
      const result = spawnSync(command!, [...args, flag], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(result.status, 0, `${name} ${flag}: ${result.stderr}`);
      assert.match(result.stdout, usage, `${name} ${flag}`);
    }
  });
}
