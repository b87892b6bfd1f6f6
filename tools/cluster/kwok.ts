import fs from 'node:fs';
import path from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import type { KubeBinaries } from './binaries.js';
import { Component } from './component.js';
import type { ControlPlaneLayout } from './control-plane.js';
import { freePort } from './ports.js';

/** Annotation (and taint key) that marks a Node as kwok's: only these are faked. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

// Stage sets from the kwok module: nodes become Ready and keep a Lease; pods go Running at once.
const STAGE_SETS = ['node/fast', 'node/heartbeat-with-lease', 'pod/fast'];

function writeStageConfig(stagesDir: string, file: string): void {
  const docs: string[] = [];
  for (const set of STAGE_SETS) {
    const dir = path.join(stagesDir, set);
    for (const name of fs.readdirSync(dir).sort()) {
      if (name.endsWith('.yaml') && name !== 'kustomization.yaml') {
        docs.push(fs.readFileSync(path.join(dir, name), 'utf8').trim());
      }
    }
  }
  if (docs.length === 0) throw new Error(`no kwok stage files under ${stagesDir}`);
  fs.writeFileSync(file, `${docs.map((d) => d.replace(/^---\n/, '')).join('\n---\n')}\n`);
}

export async function kwokComponent(bin: KubeBinaries, layout: ControlPlaneLayout, kubeconfig: string) {
  if (!bin.kwok) throw new Error('kwok is not built. Run: bash scripts/kube-binaries.sh');
  const stageFile = path.join(layout.dir, 'kwok-stages.yaml');
  writeStageConfig(bin.kwokStages, stageFile);
  const serverPort = await freePort();
  const nodePort = await freePort();
  return new Component({
    name: 'kwok',
    binary: bin.kwok,
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--config=${stageFile}`,
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      '--node-lease-duration-seconds=40',
      '--node-ip=127.0.0.1',
      `--node-port=${nodePort}`,
      '--cidr=10.244.0.0/16',
      `--server-address=127.0.0.1:${serverPort}`,
    ],
    logDir: layout.logDir,
    health: { url: `http://127.0.0.1:${serverPort}/healthz` },
    // kwok reads $HOME/.kwok; keep it inside the cluster's directory.
    env: { HOME: layout.dir },
  });
}

/** A fake Node for kwok, tainted so that only pods tolerating the taint land on it. */
export function kwokNode(name: string, capacity = { cpu: '32', memory: '256Gi', pods: '110' }): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
    },
    spec: { taints: [{ key: KWOK_NODE_ANNOTATION, value: 'fake', effect: 'NoSchedule' }] },
    status: { allocatable: capacity, capacity },
  };
}
