import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  KubeconfigError,
  loadInCluster,
  loadKubeconfig,
  loadKubeTarget,
} from '../../src/kube/kube-target.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operator-kubeconfig-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

test('the current context picks cluster and user: inline certificates', () => {
  const file = write(
    'certs.yaml',
    `apiVersion: v1
kind: Config
current-context: admin
contexts:
- name: other
  context: {cluster: nowhere, user: nobody}
- name: admin
  context: {cluster: local, user: admin, namespace: media}
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: ${b64('CA')}}
users:
- name: admin
  user: {client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')}}
`,
  );
  const target = loadKubeconfig(file);
  assert.equal(target.server, 'https://127.0.0.1:6443');
  assert.deepEqual(
    [target.ca?.toString(), target.cert?.toString(), target.key?.toString()],
    ['CA', 'CERT', 'KEY'],
  );
  assert.equal(target.namespace, 'media');
  assert.equal(target.token, undefined);
});

test('tokens inline or from a file (read each time), files relative to the kubeconfig', () => {
  write('ca.crt', 'FILE-CA');
  write('token', 'first\n');
  const file = write(
    'token.yaml',
    `current-context: sa
contexts: [{name: sa, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "https://k:443", certificate-authority: ca.crt}}]
users: [{name: u, user: {tokenFile: token}}]
`,
  );
  const target = loadKubeconfig(file);
  assert.equal(target.ca?.toString(), 'FILE-CA');
  assert.equal(target.token?.(), 'first');
  write('token', 'rotated');
  assert.equal(target.token?.(), 'rotated');
  const inline = write(
    'inline.yaml',
    fs.readFileSync(file, 'utf8').replace('tokenFile: token', 'token: abc'),
  );
  assert.equal(loadKubeconfig(inline).token?.(), 'abc');
  assert.equal(
    loadKubeTarget(undefined, { KUBECONFIG: `${inline}${path.delimiter}/nonexistent` }).token?.(),
    'abc',
  );
});

test('exec users get their credential from the plugin; auth-provider and missing contexts are refused', async () => {
  const kubeconfig = (name: string, user: string) =>
    write(
      name,
      `current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "https://k"}}]
users: [{name: u, user: ${user}}]
`,
    );
  write(
    'plugin.sh',
    '#!/bin/sh\necho \'{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"from-plugin"}}\'\n',
  );
  fs.chmodSync(path.join(dir, 'plugin.sh'), 0o755);
  const exec = loadKubeconfig(
    kubeconfig(
      'exec.yaml',
      '{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./plugin.sh}}',
    ),
  );
  assert.equal(await exec.token?.(), 'from-plugin');
  assert.equal(await exec.clientCertificate?.(), undefined);

  const always = kubeconfig(
    'always.yaml',
    '{exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, interactiveMode: Always}}',
  );
  assert.throws(
    () => loadKubeconfig(always),
    (e) =>
      e instanceof KubeconfigError && /always\.yaml: user u: exec\.interactiveMode is Always/.test(e.message),
  );
  const provider = kubeconfig('provider.yaml', '{auth-provider: {name: gcp}}');
  assert.throws(
    () => loadKubeconfig(provider),
    (e) =>
      e instanceof KubeconfigError &&
      /user u uses an auth-provider.*switch to its exec credential plugin/.test(e.message),
  );
  const empty = write('empty.yaml', 'current-context: none\n');
  assert.throws(() => loadKubeconfig(empty), /no current context/);
});

test('in a cluster: service address from the environment, token and CA from the mounted account', () => {
  const account = fs.mkdtempSync(path.join(dir, 'sa-'));
  fs.writeFileSync(path.join(account, 'ca.crt'), 'POD-CA');
  fs.writeFileSync(path.join(account, 'token'), 'pod-token');
  fs.writeFileSync(path.join(account, 'namespace'), 'tributary-system');
  const target = loadInCluster(
    { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
    account,
  );
  assert.equal(target.server, 'https://[fd00::1]:443');
  assert.equal(target.ca?.toString(), 'POD-CA');
  assert.equal(target.token?.(), 'pod-token');
  assert.equal(target.namespace, 'tributary-system');
  assert.throws(() => loadInCluster({}, account), /not in a cluster/);
});
