// The node agent against a real kube-apiserver: pods bound to its Node run as local processes and
// their status, restarts, readiness and deletion behave as a kubelet's would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoordinationV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { type Cluster, HOST_IMAGE, REPO_ROOT, startCluster, waitFor } from './index.js';
import { freePort } from './ports.js';

const NODE = 'agent-test-node';
// Processes see their mounts under the pod root (arguments and env values that are whole paths are
// rewritten by the agent, but paths inside a shell script are not).
const R = '$TRIBUTARY_POD_ROOT';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('node agent', () => {
  let cluster: Cluster;
  let namespace: string;
  let shared: string; // a host directory the test and the pods both see

  before(async () => {
    shared = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-test-'));
    cluster = await startCluster({
      agent: {
        nodeName: NODE,
        capacity: { cpu: '4', memory: '8Gi' },
        restartBackoffMs: 100,
        maxRestartBackoffMs: 400,
        images: {
          'example.com/greeter': ['sh', '-c', 'echo "hello $0" > "$OUT/greeting"'],
          'example.com/script': ['sh', path.join(shared, 'program.sh')],
        },
      },
    });
    namespace = await cluster.createNamespace();
  });
  after(async () => {
    await cluster?.stop();
    if (shared) fs.rmSync(shared, { recursive: true, force: true });
  });

  /** A pod bound to the agent's node, with the shared host directory mounted at /shared. */
  function pod(name: string, containers: V1Container[], spec: Partial<V1Pod['spec']> = {}): V1Pod {
    return {
      metadata: { name, namespace },
      spec: {
        nodeName: NODE,
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 5,
        volumes: [{ name: 'shared', hostPath: { path: shared } }],
        ...spec,
        containers: containers.map((c) => ({
          image: HOST_IMAGE,
          ...c,
          volumeMounts: [{ name: 'shared', mountPath: '/shared' }, ...(c.volumeMounts ?? [])],
        })),
      },
    };
  }
  const create = (body: V1Pod) => cluster.core.createNamespacedPod({ namespace, body });
  const sh = (script: string) => ({ command: ['sh', '-c', script] });

  test('registers a Ready Node with its capacity and keeps a Lease', async () => {
    const node = await cluster.core.readNode({ name: NODE });
    assert.equal(node.status?.capacity?.cpu, '4');
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    const lease = await cluster
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: 'kube-node-lease', name: NODE });
    assert.equal(lease.spec?.holderIdentity, NODE);
  });

  test('a pod runs as a process: Pending -> Running -> Succeeded', async () => {
    const gate = path.join(shared, 'gate-1');
    await create(
      pod('runs', [
        { name: 'main', ...sh(`while [ ! -f ${R}/shared/gate-1 ]; do sleep 0.05; done; echo done`) },
      ]),
    );
    const running = await cluster.waitForPodPhase(namespace, 'runs', 'Running');
    assert.ok(running.status?.containerStatuses?.[0]?.state?.running, 'container state is running');
    const pid = cluster.agent?.podPids(namespace, 'runs')?.main;
    assert.ok(pid && processAlive(pid), 'the container is a live local process');
    fs.writeFileSync(gate, '');
    const done = await cluster.waitForPodPhase(namespace, 'runs', 'Succeeded');
    const terminated = done.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 0);
    assert.equal(terminated?.reason, 'Completed');
  });

  test('a non-zero exit with restartPolicy Never fails the pod with that exit code', async () => {
    await create(pod('fails', [{ name: 'main', ...sh('exit 3') }]));
    const failed = await cluster.waitForPodPhase(namespace, 'fails', 'Failed');
    assert.equal(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
  });

  test('deleting a running pod sends SIGTERM, waits, and removes the pod', async () => {
    const script = `trap 'echo term > ${R}/shared/terminated; exit 0' TERM; while true; do sleep 0.05; done`;
    await create(pod('graceful', [{ name: 'main', ...sh(script) }]));
    await cluster.waitForPodPhase(namespace, 'graceful', 'Running');
    const pid = cluster.agent?.podPids(namespace, 'graceful')?.main;
    assert.ok(pid && processAlive(pid));
    await cluster.core.deleteNamespacedPod({ namespace, name: 'graceful' });
    await cluster.waitForPodGone(namespace, 'graceful');
    assert.equal(fs.readFileSync(path.join(shared, 'terminated'), 'utf8').trim(), 'term');
    assert.equal(processAlive(pid), false);
  });

  test('a process that ignores SIGTERM is killed after the grace period', async () => {
    await create(
      pod('stubborn', [{ name: 'main', ...sh(`trap '' TERM; while true; do sleep 0.05; done`) }], {
        terminationGracePeriodSeconds: 1,
      }),
    );
    await cluster.waitForPodPhase(namespace, 'stubborn', 'Running');
    const pid = cluster.agent?.podPids(namespace, 'stubborn')?.main;
    assert.ok(pid && processAlive(pid));
    await cluster.core.deleteNamespacedPod({ namespace, name: 'stubborn' });
    await cluster.waitForPodGone(namespace, 'stubborn');
    assert.equal(processAlive(pid), false);
  });

  test('env from values, Secrets, ConfigMaps, fieldRefs and resources; volumes from Secrets, ConfigMaps, downward API and tokens', async () => {
    await cluster.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'creds' }, stringData: { password: 's3cret', extra: 'from-envfrom' } },
    });
    await cluster.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'settings', labels: {} }, data: { mode: 'fast', 'app.conf': 'level=9\n' } },
    });
    const script = [
      `out=${R}/shared/env-$POD_NAME`,
      'mkdir -p $out',
      'printf "%s" "$PASSWORD" > $out/password',
      'printf "%s" "$MODE" > $out/mode',
      'printf "%s|%s|%s" "$POD_NAME" "$POD_NAMESPACE" "$NODE" > $out/fields',
      'printf "%s" "$POD_IP" > $out/ip',
      'printf "%s" "$CPU_LIMIT" > $out/cpu',
      'printf "%s" "$X_extra" > $out/envfrom',
      'printf "%s" "$GREETING" > $out/greeting',
      `cat ${R}/etc/creds/password > $out/secret-file`,
      `cat ${R}/etc/settings/app.conf > $out/config-file`,
      `cat ${R}/etc/podinfo/labels > $out/labels-file`,
      `cat ${R}/var/run/secrets/kubernetes.io/serviceaccount/token > $out/token`,
      'echo "$1" > $out/arg',
    ].join('\n');
    const envPod = pod(
      'env',
      [
        {
          name: 'main',
          command: ['sh', '-c', script, 'sh'],
          args: ['$(GREETING) world'],
          resources: { limits: { cpu: '2' } },
          env: [
            { name: 'GREETING', value: 'hi' },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          ],
          envFrom: [{ prefix: 'X_', secretRef: { name: 'creds' } }],
          volumeMounts: [
            { name: 'creds', mountPath: '/etc/creds' },
            { name: 'settings', mountPath: '/etc/settings' },
            { name: 'podinfo', mountPath: '/etc/podinfo' },
          ],
        },
      ],
      {
        volumes: [
          { name: 'shared', hostPath: { path: shared } },
          { name: 'creds', secret: { secretName: 'creds' } },
          { name: 'settings', configMap: { name: 'settings' } },
          {
            name: 'podinfo',
            downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: "metadata.labels['app']" } }] },
          },
        ],
      },
    );
    envPod.metadata!.labels = { app: 'demo' };
    await create(envPod);
    const done = await cluster.waitForPodPhase(namespace, 'env', 'Succeeded');
    const read = (file: string) => fs.readFileSync(path.join(shared, 'env-env', file), 'utf8');
    assert.equal(read('password'), 's3cret');
    assert.equal(read('mode'), 'fast');
    assert.equal(read('fields'), `env|${namespace}|${NODE}`);
    assert.equal(read('ip'), done.status?.podIP);
    assert.match(read('ip'), /^127\./);
    assert.equal(read('cpu'), '2');
    assert.equal(read('envfrom'), 'from-envfrom');
    assert.equal(read('greeting'), 'hi');
    assert.equal(read('arg').trim(), 'hi world');
    assert.equal(read('secret-file'), 's3cret');
    assert.equal(read('config-file'), 'level=9\n');
    assert.equal(read('labels-file'), 'demo');
    const claims = JSON.parse(Buffer.from(read('token').split('.')[1] ?? '', 'base64url').toString());
    assert.equal(claims.sub, `system:serviceaccount:${namespace}:default`);
    assert.equal(claims['kubernetes.io']?.pod?.name, 'env');
  });

  test('a pod reaches the apiserver in-cluster, as its ServiceAccount', async () => {
    const clientNode = path.join(REPO_ROOT, 'node_modules/@kubernetes/client-node/dist/index.js');
    const script = `
      const k8s = await import(${JSON.stringify(clientNode)});
      const kc = new k8s.KubeConfig();
      kc.loadFromCluster(process.env.TRIBUTARY_POD_ROOT);
      const review = await kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: {} });
      fs.writeFileSync(process.env.OUT, review.status.userInfo.username);`;
    await create(
      pod('in-cluster', [
        {
          name: 'main',
          command: ['node', '--input-type=module', '-e', `import fs from 'node:fs';\n${script}`],
          env: [{ name: 'OUT', value: '/shared/whoami' }],
        },
      ]),
    );
    await cluster.waitForPodPhase(namespace, 'in-cluster', 'Succeeded');
    assert.equal(
      fs.readFileSync(path.join(shared, 'whoami'), 'utf8'),
      `system:serviceaccount:${namespace}:default`,
    );
  });

  test('a pod waits for a missing Secret, then starts once it exists', async () => {
    await create(
      pod('late-secret', [
        {
          name: 'main',
          ...sh(`printf "%s" "$TOKEN" > ${R}/shared/late-token`),
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'late', key: 'token' } } }],
        },
      ]),
    );
    await cluster.waitForPod(
      namespace,
      'late-secret',
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    await cluster.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'late' }, stringData: { token: 't' } },
    });
    await cluster.waitForPodPhase(namespace, 'late-secret', 'Succeeded');
    assert.equal(fs.readFileSync(path.join(shared, 'late-token'), 'utf8'), 't');
  });

  test('restartPolicy OnFailure restarts a failed container until it succeeds', async () => {
    const script = `n=$(cat ${R}/scratch/n 2>/dev/null || echo 0); echo $((n+1)) > ${R}/scratch/n; [ $n -ge 1 ]`;
    await create(
      pod(
        'on-failure',
        [{ name: 'main', ...sh(script), volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
        {
          restartPolicy: 'OnFailure',
          volumes: [
            { name: 'shared', hostPath: { path: shared } },
            { name: 'scratch', emptyDir: {} },
          ],
        },
      ),
    );
    const done = await cluster.waitForPodPhase(namespace, 'on-failure', 'Succeeded');
    const status = done.status?.containerStatuses?.[0];
    assert.equal(status?.restartCount, 1);
    assert.equal(status?.lastState?.terminated?.exitCode, 1);
  });

  test('restartPolicy Always restarts a container that exits', async () => {
    await create(pod('always', [{ name: 'main', ...sh('exit 0') }], { restartPolicy: 'Always' }));
    const pod2 = await cluster.waitForPod(
      namespace,
      'always',
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2,
    );
    assert.equal(pod2.status?.phase, 'Running');
    await cluster.core.deleteNamespacedPod({ namespace, name: 'always' });
    await cluster.waitForPodGone(namespace, 'always');
  });

  test('readiness follows the HTTP readiness probe', async () => {
    const port = await freePort();
    const server = `
      const http = require('node:http');
      const fs = require('node:fs');
      http.createServer((req, res) => {
        res.statusCode = fs.existsSync(process.env.SHARED + '/ready-now') ? 200 : 503;
        res.end();
      }).listen(${port}, process.env.POD_IP);`;
    await create(
      pod(
        'probed',
        [
          {
            name: 'web',
            command: ['node', '-e', server],
            ports: [{ name: 'http', containerPort: port }],
            env: [
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'SHARED', value: '/shared' },
            ],
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
          },
        ],
        { restartPolicy: 'Always' },
      ),
    );
    const running = await cluster.waitForPodPhase(namespace, 'probed', 'Running');
    assert.equal(running.status?.containerStatuses?.[0]?.ready, false);
    fs.writeFileSync(path.join(shared, 'ready-now'), '');
    const ready = await cluster.waitForCondition(
      { apiVersion: 'v1', kind: 'Pod', name: 'probed', namespace },
      'Ready',
    );
    assert.equal((ready as V1Pod).status?.containerStatuses?.[0]?.ready, true);
    fs.rmSync(path.join(shared, 'ready-now'));
    await cluster.waitForCondition(
      { apiVersion: 'v1', kind: 'Pod', name: 'probed', namespace },
      'Ready',
      'False',
    );
    await cluster.core.deleteNamespacedPod({ namespace, name: 'probed' });
    await cluster.waitForPodGone(namespace, 'probed');
  });

  test('an image from the table runs its local command', async () => {
    await create(
      pod('greeter', [
        {
          name: 'main',
          image: 'example.com/greeter:1.2',
          args: ['table'],
          env: [{ name: 'OUT', value: '/shared' }],
        },
      ]),
    );
    await cluster.waitForPodPhase(namespace, 'greeter', 'Succeeded');
    assert.equal(fs.readFileSync(path.join(shared, 'greeting'), 'utf8'), 'hello table\n');
  });

  test("the image's program stays a host path even below a mounted path; the spec's args are mapped", async () => {
    fs.writeFileSync(path.join(shared, 'program.sh'), 'echo ran > "$1"\n');
    const mountedOverProgram = { name: 'over', mountPath: path.dirname(shared) };
    await create(
      pod(
        'under-mount',
        [
          {
            name: 'main',
            image: 'example.com/script',
            args: ['/shared/ran'],
            volumeMounts: [mountedOverProgram],
          },
        ],
        {
          volumes: [
            { name: 'shared', hostPath: { path: shared } },
            { name: 'over', emptyDir: {} },
          ],
        },
      ),
    );
    await cluster.waitForPodPhase(namespace, 'under-mount', 'Succeeded');
    assert.equal(fs.readFileSync(path.join(shared, 'ran'), 'utf8'), 'ran\n');
  });

  test('an unknown image fails the pod with a message naming the image', async () => {
    await create(pod('unknown', [{ name: 'main', image: 'example.com/nope:1' }]));
    const failed = await cluster.waitForPodPhase(namespace, 'unknown', 'Failed');
    assert.match(failed.status?.message ?? '', /example\.com\/nope:1/);
    assert.equal(failed.status?.reason, 'UnknownImage');
  });

  test('waitFor gives up with a message naming what it waited for', async () => {
    await assert.rejects(
      waitFor(() => false, { timeoutMs: 300, intervalMs: 50, what: 'nothing' }),
      /timed out after 300 ms waiting for nothing/,
    );
  });
});
