// The node agent's pod and container runners against real processes: a pod told to terminate
// while it is still starting must not leave a process behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1PodStatus } from '@kubernetes/client-node';
import { ContainerRunner } from './agent/container-runner.js';
import { DEFAULT_IMAGES, HOST_IMAGE } from './agent/images.js';
import { PodRunner } from './agent/pod-runner.js';
import { baseEnv } from './process.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-runner-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const FOREVER = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timeout = sleep(ms, undefined, { ref: false }).then(() =>
    assert.fail(`${what} did not happen within ${ms} ms`),
  );
  return Promise.race([promise, timeout]);
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

test('a container stopped while its process is being spawned still ends', async () => {
  const runner = new ContainerRunner({ name: 'main', image: HOST_IMAGE }, () => {});
  const dir = fs.mkdtempSync(path.join(scratch, 'container-'));
  const running = runner.run({ argv: FOREVER, env: baseEnv(), cwd: dir, logFile: path.join(dir, 'log') });
  try {
    await runner.stop(5000); // the spawn has not completed yet: there is no process to signal
    const exit = await within(running, 10_000, 'the container exiting');
    assert.equal(exit.exitCode, 143, 'ended by SIGTERM');
    assert.equal(runner.pid, undefined);
  } finally {
    killGroup(runner.pid);
  }
});

test('a pod told to terminate while it prepares never starts its containers', async () => {
  const statuses: V1PodStatus[] = [];
  const pod = new PodRunner(
    {
      metadata: { name: 'early', namespace: 'ns', uid: 'u-early' },
      spec: { containers: [{ name: 'main', image: HOST_IMAGE, command: FOREVER }] },
    },
    {
      images: DEFAULT_IMAGES,
      podDir: fs.mkdtempSync(path.join(scratch, 'pod-')),
      extraEnv: {},
      backoffMs: 100,
      maxBackoffMs: 1000,
      onStatus: (status) => statuses.push(status),
      objects: { secret: async () => undefined, configMap: async () => undefined },
      addresses: { podIP: '127.0.0.1', hostIP: '127.0.0.1' },
      nodeAllocatable: { cpu: '1', memory: '1Gi' },
      mintToken: async () => 'token',
      claimsDir: path.join(scratch, 'claims'),
      nfsDir: path.join(scratch, 'nfs'),
    },
  );
  try {
    await within(pod.terminate(5), 10_000, 'the terminated pod settling');
    assert.deepEqual(pod.pids(), {});
    assert.ok(
      statuses.every((s) => s.containerStatuses?.every((c) => !c.state?.running)),
      'no container ever ran',
    );
  } finally {
    killGroup(pod.pids().main);
  }
});
