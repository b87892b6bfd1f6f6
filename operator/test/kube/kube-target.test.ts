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

test('exec credentials and missing contexts are refused with a reason', () => {
  const exec = write(
    'exec.yaml',
    `current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "https://k"}}]
users: [{name: u, user: {exec: {command: aws}}}]
`,
  );
  assert.throws(
    () => loadKubeconfig(exec),
    (e) => e instanceof KubeconfigError && /exec/.test(e.message),
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
