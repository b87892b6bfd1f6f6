import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './run-cli.js';

test('tributary --help, -h and help print the usage on stdout and exit 0', async () => {
  for (const flag of ['--help', '-h', 'help']) {
    const result = await runCli([flag]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^usage: tributary <command>/);
    assert.equal(result.stderr, '');
  }
});

test('each command answers --help and -h with its own usage, and does not run', async () => {
  const usages = {
    probe: /^usage: tributary probe <url>/,
    ingest: /^usage: tributary ingest/,
    'push-listener': /^usage: tributary push-listener/,
    tail: /^usage: tributary tail/,
    buffer: /^usage: tributary buffer/,
  };
  for (const [command, usage] of Object.entries(usages)) {
    for (const flag of ['--help', '-h']) {
      const result = await runCli([command, flag], { NATS_URL: '' });
      assert.equal(result.code, 0, `${command} ${flag}: ${result.stderr}`);
      assert.match(result.stdout, usage, `${command} ${flag}`);
    }
  }
});

test('a mistake gets the usage on stderr and exit 2', async () => {
  const result = await runCli(['frobnicate']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown command "frobnicate"\nusage: tributary <command>/);
  assert.equal(result.stdout, '');
});

test('a refused URL is one line on stderr, no stack trace, exit 1', async () => {
  const result = await runCli(['probe', 'udp://300.1.1.1:5000', '--duration', '1']);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    "tributary: invalid udp:// URL udp://300.1.1.1:5000: host '300.1.1.1' must be an IP address to listen on\n",
  );
});

test('tributary buffer names the bad flag in one line, exit 2', async () => {
  const cases: [string[], string][] = [
    [['buffer'], 'tributary: no NATS server: give --nats-url or env NATS_URL (e.g. nats://nats:4222)\n'],
    [['buffer', '--namespace', 'Bad_NS'], 'tributary: --namespace: "Bad_NS" is not a namespace name\n'],
    [['buffer', '--port', '70000'], 'tributary: --port: 70000 is not a port\n'],
    [
      ['buffer', '--window-seconds', '0'],
      'tributary: --window-seconds takes a number of seconds > 0, got "0"\n',
    ],
  ];
  for (const [args, stderr] of cases) {
    const result = await runCli(args, { NATS_URL: args.length > 1 ? 'nats://127.0.0.1:1' : '' });
    assert.deepEqual([result.code, result.stderr], [2, stderr], args.join(' '));
  }
});
