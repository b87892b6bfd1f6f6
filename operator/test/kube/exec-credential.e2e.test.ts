// Exec credential plugins against a real kube-apiserver: a shell-script plugin prints an
// ExecCredential with the operator ServiceAccount's token, and the operator's own client
// (loadKubeconfig + KubeApi) lists Streams with it under real RBAC.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { startOperatorCluster, streamObject } from '../../../test/e2e/operator-harness.js';
import type { Cluster } from '../../../tools/cluster/index.js';
import { ApiError, KubeApi } from '../../src/kube/api-client.js';
import { ExecCredentialError } from '../../src/kube/exec-credential.js';
import { loadKubeconfig } from '../../src/kube/kube-target.js';

const API_VERSION = 'client.authentication.k8s.io/v1';

// Prints the token in ./token as an ExecCredential; records each run and the exec info it got.
const PLUGIN = `#!/bin/sh
here=$(dirname "$0")
echo run >> "$here/runs"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$here/exec-info.json"
printf '{"apiVersion":"${API_VERSION}","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat "$here/token")"
`;
const CERT_PLUGIN = `#!/bin/sh
cat "$(dirname "$0")/cert-credential.json"
`;
const FAILING_PLUGIN = `#!/bin/sh
printf '{"apiVersion":"${API_VERSION}","kind":"ExecCredential","status":{"token":"stdout-secret"}}'
echo "error: the SSO session has expired" >&2
echo "run: aws sso login --profile media" >&2
exit 1
`;

describe('exec credential plugin (real kube-apiserver)', () => {
  let cluster: Cluster;
  let dir: string;
  let token: string;
  let namespace: string;
  const clients: KubeApi[] = [];

  /** A kubeconfig next to the plugins, for the harness's cluster, whose user runs `command`. */
  function execKubeconfig(name: string, command: string): string {
    const config = parse(fs.readFileSync(path.join(cluster.dir, 'operator.kubeconfig'), 'utf8'));
    config.users[0].user = {
      exec: { apiVersion: API_VERSION, command, interactiveMode: 'Never', provideClusterInfo: true },
    };
    const file = path.join(dir, name);
    fs.writeFileSync(file, stringify(config), { mode: 0o600 });
    return file;
  }

  function client(kubeconfig: string): KubeApi {
    const api = new KubeApi(loadKubeconfig(kubeconfig));
    clients.push(api);
    return api;
  }

  before(async () => {
    const started = await startOperatorCluster();
    cluster = started.cluster;
    token = parse(fs.readFileSync(started.kubeconfig, 'utf8')).users[0].user.token;
    dir = fs.mkdtempSync(path.join(cluster.dir, 'exec-'));
    fs.writeFileSync(path.join(dir, 'plugin.sh'), PLUGIN, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'failing.sh'), FAILING_PLUGIN, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'cert.sh'), CERT_PLUGIN, { mode: 0o755 });
    namespace = await cluster.createNamespace();
    await cluster.apply(streamObject(namespace, 'camera-1', { inputs: [{ url: 'udp://127.0.0.1:5999' }] }));
  });

  after(async () => {
    for (const api of clients) api.close();
    await cluster?.stop();
  });

  const listStreams = (api: KubeApi) =>
    api.get<{ items: { metadata: { name: string } }[] }>(
      `/apis/tributary.io/v1alpha1/namespaces/${namespace}/streams`,
    );
  const runs = () => fs.readFileSync(path.join(dir, 'runs'), 'utf8').split('\n').filter(Boolean).length;

  test('the plugin token lists Streams; it is cached, and the plugin runs again after a 401', async () => {
    // A relative command with a path separator is found next to the kubeconfig.
    const api = client(execKubeconfig('exec.kubeconfig', './plugin.sh'));

    fs.writeFileSync(path.join(dir, 'token'), 'not-a-valid-token');
    await assert.rejects(listStreams(api), (e) => e instanceof ApiError && e.code === 401);
    assert.equal(runs(), 1);

    fs.writeFileSync(path.join(dir, 'token'), token);
    const list = await listStreams(api);
    assert.deepEqual(
      list.items.map((s) => s.metadata.name),
      ['camera-1'],
    );
    await listStreams(api);
    assert.equal(runs(), 2, 'the plugin ran again after the 401, then its token was reused');

    const info = JSON.parse(fs.readFileSync(path.join(dir, 'exec-info.json'), 'utf8'));
    assert.equal(info.apiVersion, API_VERSION);
    assert.equal(info.spec.interactive, false);
    assert.equal(info.spec.cluster.server, loadKubeconfig(path.join(dir, 'exec.kubeconfig')).server);
    assert.ok(info.spec.cluster['certificate-authority-data'], 'the CA is passed to the plugin');
  });

  test('a client certificate from the plugin is presented over TLS', async () => {
    const admin = parse(fs.readFileSync(cluster.kubeconfigPath, 'utf8')).users[0].user;
    const pem = (data: string) => Buffer.from(data, 'base64').toString('utf8');
    const credential = {
      apiVersion: API_VERSION,
      kind: 'ExecCredential',
      status: {
        clientCertificateData: pem(admin['client-certificate-data']),
        clientKeyData: pem(admin['client-key-data']),
        expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString(),
      },
    };
    fs.writeFileSync(path.join(dir, 'cert-credential.json'), JSON.stringify(credential), { mode: 0o600 });
    const list = await listStreams(client(execKubeconfig('cert.kubeconfig', path.join(dir, 'cert.sh'))));
    assert.deepEqual(
      list.items.map((s) => s.metadata.name),
      ['camera-1'],
    );
  });

  test('a plugin that exits 1 fails the request with its stderr, never its stdout', async () => {
    const api = client(execKubeconfig('failing.kubeconfig', './failing.sh'));
    await assert.rejects(listStreams(api), (e) => {
      assert.ok(e instanceof ExecCredentialError);
      assert.match(e.message, /failing\.sh exited with code 1/);
      assert.match(e.message, /the SSO session has expired\nrun: aws sso login --profile media/);
      assert.doesNotMatch(e.message, /stdout-secret/);
      return true;
    });
  });
});
