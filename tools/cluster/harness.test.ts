// The harness as a whole: controller-manager, scheduler, kwok and the node agent together; tokens
// that carry a ServiceAccount's RBAC; an apiserver restart mid-test; two clusters side by side.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { type Cluster, HOST_IMAGE, KWOK_NODE_ANNOTATION, startCluster, waitFor } from './index.js';

const run = promisify(execFile);
const AGENT_NODE = 'harness-node';

const sleeper = (name: string, namespace: string): V1Pod => ({
  metadata: { name, namespace },
  spec: {
    nodeName: AGENT_NODE,
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 2,
    containers: [
      { name: 'main', image: HOST_IMAGE, command: ['sh', '-c', 'while true; do sleep 0.1; done'] },
    ],
  },
});

describe('cluster harness', () => {
  let full: Cluster;
  let plain: Cluster;

  before(async () => {
    // Two harnesses started at once, in one process: they must not share ports, files or state.
    [full, plain] = await Promise.all([
      startCluster({
        controllerManager: true,
        scheduler: true,
        kwokNodes: 2,
        agent: { nodeName: AGENT_NODE, restartBackoffMs: 100 },
      }),
      startCluster(),
    ]);
  });
  after(async () => {
    await Promise.all([full?.stop(), plain?.stop()]);
  });

  test('two harnesses run side by side without sharing anything', async () => {
    assert.notEqual(full.server, plain.server);
    assert.notEqual(full.dir, plain.dir);
    const namespace = await plain.createNamespace();
    const inFull = await full.core.readNamespace({ name: namespace }).catch((error) => error.code);
    assert.equal(inFull, 404);
    // the plain cluster has no nodes: the agent and kwok belong to the other one
    const nodes = await plain.core.listNode();
    assert.equal(nodes.items.length, 0);
  });

  test('kubectl from the cache talks to the cluster through the admin kubeconfig', async () => {
    const { stdout } = await run(full.binaries.kubectl, ['get', 'nodes', '-o', 'name'], {
      env: full.toolEnv(),
    });
    assert.match(stdout, new RegExp(`node/${AGENT_NODE}`));
    assert.match(stdout, /node\/kwok-node-0/);
  });

  test('a Deployment is scheduled onto the agent node and its pod becomes Ready', async () => {
    const namespace = await full.createNamespace();
    await full.apply(
      `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: ${HOST_IMAGE}
        command: [sh, -c, 'while true; do sleep 0.1; done']
`,
      { namespace },
    );
    const apps = full.makeApiClient(AppsV1Api);
    const deployment = await full.waitForCondition(
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace },
      'Available',
    );
    assert.equal(deployment.metadata?.name, 'web');
    const pods = await full.core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    assert.equal(pods.items[0]?.spec?.nodeName, AGENT_NODE);
    await apps.deleteNamespacedDeployment({ name: 'web', namespace });
  });

  test('kwok nodes are Ready and run pods that tolerate their taint', async () => {
    const namespace = await full.createNamespace();
    await full.waitForCondition({ apiVersion: 'v1', kind: 'Node', name: 'kwok-node-1' }, 'Ready');
    await full.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'fake' },
        spec: {
          nodeSelector: { type: 'kwok' },
          tolerations: [{ key: KWOK_NODE_ANNOTATION, operator: 'Exists', effect: 'NoSchedule' }],
          containers: [{ name: 'main', image: 'example.com/not-run:1' }],
        },
      },
    });
    const pod = await full.waitForPodPhase(namespace, 'fake', 'Running');
    assert.match(pod.spec?.nodeName ?? '', /^kwok-node-/);
  });

  test('a ServiceAccount token carries exactly that account’s RBAC', async () => {
    const namespace = await full.createNamespace();
    await full.apply(
      `
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-configmaps}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects:
- {kind: ServiceAccount, name: reader}
`,
      { namespace },
    );
    const { kubeConfig } = await full.serviceAccountKubeConfig(namespace, 'reader');
    const asReader = kubeConfig.makeApiClient(CoreV1Api);
    // The RBAC authorizer reads from a cache that can trail the writes above by a moment.
    const configMaps = await waitFor(() => asReader.listNamespacedConfigMap({ namespace }), {
      timeoutMs: 10_000,
      what: 'the Role to allow listing configmaps',
    });
    assert.ok(Array.isArray(configMaps.items));
    const secrets = await asReader.listNamespacedSecret({ namespace }).catch((error) => error.code);
    assert.equal(secrets, 403);
  });

  test('the harness and the node agent ride through an apiserver restart', async () => {
    const namespace = await full.createNamespace();
    await full.core.createNamespacedPod({ namespace, body: sleeper('before', namespace) });
    await full.waitForPodPhase(namespace, 'before', 'Running');
    const pid = full.agent?.podPids(namespace, 'before')?.main;
    assert.ok(pid);

    await full.restartApiServer();

    // the admin client reconnects; the pod kept running; the agent's watch came back
    const pod = await full.core.readNamespacedPod({ namespace, name: 'before' });
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(full.agent?.podPids(namespace, 'before')?.main, pid);
    await full.core.createNamespacedPod({ namespace, body: sleeper('after', namespace) });
    await full.waitForPodPhase(namespace, 'after', 'Running');
    await full.core.deleteNamespacedPod({ namespace, name: 'before' });
    await full.waitForPodGone(namespace, 'before');
    // The agent forgets the pod when its watch delivers the deletion, a moment after the GET says 404.
    await waitFor(() => full.agent?.podPids(namespace, 'before') === undefined, {
      timeoutMs: 10_000,
      what: 'the agent to forget the deleted pod',
    });
  });
});
