import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  type ExecCredential,
  ExecCredentialError,
  ExecCredentialSource,
  execConfig,
  parseExecCredential,
  runExecPlugin,
} from '../../src/kube/exec-credential.js';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';
const CLUSTER = { server: 'https://k:6443', 'certificate-authority-data': 'Q0E=', 'tls-server-name': 'k' };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operator-exec-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const config = (exec: Record<string, unknown>) =>
  execConfig('eks-admin', { apiVersion: V1, interactiveMode: 'Never', ...exec }, dir, CLUSTER);

test('exec config: command resolution, args, env and the exec info given to the plugin', () => {
  const relative = config({
    command: './bin/get-token',
    args: ['--region', 'eu-west-1'],
    env: [{ name: 'AWS_PROFILE', value: 'media' }],
  });
  assert.equal(relative.command, path.join(dir, 'bin/get-token'));
  assert.deepEqual(relative.args, ['--region', 'eu-west-1']);
  assert.deepEqual(relative.env, { AWS_PROFILE: 'media' });
  assert.deepEqual(JSON.parse(relative.execInfo), {
    apiVersion: V1,
    kind: 'ExecCredential',
    spec: { interactive: false },
  });

  const onPath = config({ command: 'aws', provideClusterInfo: true });
  assert.equal(onPath.command, 'aws');
  assert.deepEqual(JSON.parse(onPath.execInfo).spec, { cluster: CLUSTER, interactive: false });

  // v1beta1 defaults interactiveMode to IfAvailable, which runs without a terminal.
  assert.equal(
    execConfig('u', { apiVersion: V1BETA1, command: 'kubelogin' }, dir, CLUSTER).apiVersion,
    V1BETA1,
  );
});

test('exec config: refused with the field and the user named', () => {
  assert.throws(
    () => config({ command: 'aws', interactiveMode: 'Always' }),
    /user eks-admin: exec\.interactiveMode is Always, but the operator has no terminal/,
  );
  assert.throws(
    () => execConfig('u', { apiVersion: V1, command: 'aws' }, dir, CLUSTER),
    /interactiveMode is missing \(client\.authentication\.k8s\.io\/v1 requires it\): set IfAvailable or Never/,
  );
  assert.throws(
    () => config({ command: 'aws', apiVersion: 'client.authentication.k8s.io/v1alpha1' }),
    /exec\.apiVersion "client\.authentication\.k8s\.io\/v1alpha1" is not supported/,
  );
  assert.throws(() => config({}), /exec\.command is missing/);
  assert.throws(
    () => config({ command: 'aws', env: [{ name: 'X' }] }),
    /exec\.env entries need a string name and value/,
  );
  assert.throws(() => config({ command: 'aws', args: [1] }), /exec\.args must be a list of strings/);
});

const output = (status: Record<string, unknown>, apiVersion = V1) =>
  JSON.stringify({ apiVersion, kind: 'ExecCredential', status });
const plugin = config({ command: 'get-token' });

test('ExecCredential output: token, client certificate, expiry', () => {
  assert.deepEqual(parseExecCredential(output({ token: 'abc' }), plugin), {
    token: 'abc',
    cert: undefined,
    key: undefined,
    expiresAt: undefined,
  });
  const tls = parseExecCredential(
    output({
      clientCertificateData: 'CERT PEM',
      clientKeyData: 'KEY PEM',
      expirationTimestamp: '2026-12-03T06:15:00Z',
    }),
    plugin,
  );
  assert.equal(tls.cert?.toString(), 'CERT PEM');
  assert.equal(tls.key?.toString(), 'KEY PEM');
  assert.equal(tls.expiresAt, Date.UTC(2026, 11, 3, 6, 15));
});

test('ExecCredential output: refused precisely, without echoing the credential', () => {
  const refused = (stdout: string, pattern: RegExp) =>
    assert.throws(
      () => parseExecCredential(stdout, plugin),
      (e) =>
        e instanceof ExecCredentialError && pattern.test(e.message) && !e.message.includes('secret-token'),
    );
  refused('token: secret-token', /exec plugin get-token printed no JSON ExecCredential/);
  refused(
    output({ token: 'secret-token' }, V1BETA1),
    /apiVersion client\.authentication\.k8s\.io\/v1beta1; the kubeconfig asks for an ExecCredential of client\.authentication\.k8s\.io\/v1/,
  );
  refused(output({}), /status has neither a token nor clientCertificateData and clientKeyData/);
  refused(output({ clientCertificateData: 'C' }), /clientCertificateData without clientKeyData/);
  refused(
    output({ token: 'secret-token', expirationTimestamp: 'tomorrow' }),
    /expirationTimestamp tomorrow is not an RFC 3339 time/,
  );
});

/** A source over a fake plugin and a fake clock; `runs` counts plugin runs. */
function fakeSource(credentials: ExecCredential[]) {
  const state = { now: 0, runs: 0 };
  const source = new ExecCredentialSource(
    async () => credentials[Math.min(state.runs++, credentials.length - 1)] as ExecCredential,
    () => state.now,
  );
  return { source, state };
}

test('caching: until shortly before expiry', async () => {
  const { source, state } = fakeSource([
    { token: 'first', expiresAt: 600_000 },
    { token: 'second', expiresAt: 1_200_000 },
  ]);
  assert.equal((await source.credential()).token, 'first');
  state.now = 500_000;
  assert.equal((await source.credential()).token, 'first');
  state.now = 590_000; // inside the margin before expiry
  assert.equal((await source.credential()).token, 'second');
  assert.equal(state.runs, 2);
});

test('caching: a short-lived credential is kept for half its lifetime', async () => {
  const { source, state } = fakeSource([
    { token: 'first', expiresAt: 20_000 },
    { token: 'second', expiresAt: 40_000 },
  ]);
  assert.equal((await source.credential()).token, 'first');
  state.now = 9_000;
  assert.equal((await source.credential()).token, 'first');
  state.now = 10_000;
  assert.equal((await source.credential()).token, 'second');
  assert.equal(state.runs, 2);
});

test('caching: without expiry until the apiserver rejects that token; concurrent callers share a run', async () => {
  const { source, state } = fakeSource([{ token: 'first' }, { token: 'second' }]);
  const [a, b] = await Promise.all([source.credential(), source.credential()]);
  assert.deepEqual([a.token, b.token, state.runs], ['first', 'first', 1]);
  state.now = 365 * 86_400_000;
  assert.equal((await source.credential()).token, 'first');
  source.rejected('first');
  assert.equal((await source.credential()).token, 'second');
  source.rejected('first'); // a late 401 for the old token keeps the new one
  assert.equal((await source.credential()).token, 'second');
  assert.equal(state.runs, 2);
});

test('caching: a failed run is not cached', async () => {
  let fail = true;
  const source = new ExecCredentialSource(async () => {
    if (fail) throw new ExecCredentialError('plugin failed');
    return { token: 'ok' };
  });
  await assert.rejects(source.credential(), /plugin failed/);
  fail = false;
  assert.equal((await source.credential()).token, 'ok');
});

function script(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${text}`, { mode: 0o755 });
  return file;
}

test('running the plugin: env and exec info reach it, stdin is closed', async () => {
  script('echo-env.sh', 'cat >/dev/null; printf \'%s|%s\' "$AWS_PROFILE" "$KUBERNETES_EXEC_INFO"\n');
  const stdout = await runExecPlugin(
    config({
      command: './echo-env.sh',
      env: [{ name: 'AWS_PROFILE', value: 'media' }],
      provideClusterInfo: true,
    }),
  );
  const [profile, info] = stdout.split('|');
  assert.equal(profile, 'media');
  assert.equal(JSON.parse(info ?? '').spec.cluster.server, 'https://k:6443');
});

test('running the plugin: not found names the command and the install hint', async () => {
  await assert.rejects(
    runExecPlugin(
      config({
        command: 'tributary-no-such-plugin',
        installHint: 'Install it with: brew install no-such-plugin',
      }),
    ),
    /exec plugin tributary-no-such-plugin was not found \(not on PATH\): install it or fix users\[\]\.user\.exec\.command\nInstall it with: brew install no-such-plugin/,
  );
  await assert.rejects(
    runExecPlugin(config({ command: './missing/plugin' })),
    /was not found \(no such file\)/,
  );
});

test('running the plugin: a non-zero exit reports the first lines of stderr', async () => {
  script('fails.sh', 'echo token-on-stdout; for i in 1 2 3 4 5 6 7; do echo "line $i" >&2; done; exit 3\n');
  await assert.rejects(runExecPlugin(config({ command: './fails.sh' })), (e) => {
    assert.ok(e instanceof ExecCredentialError);
    assert.match(e.message, /fails\.sh exited with code 3; its stderr begins:\nline 1\n.*line 5$/s);
    assert.doesNotMatch(e.message, /line 6|token-on-stdout/);
    return true;
  });
});
