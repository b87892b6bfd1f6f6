import type { V1Pod } from '@kubernetes/client-node';
import { API_VERSION, type Stream, type StreamSpec, type VodMount, type VodMountSpec } from '@tributary/crds';
import { pino } from 'pino';
import type { ObjectCache } from '../../src/controller/object-cache.js';
import { EventRecorder } from '../../src/events/event-recorder.js';
import type { KubeApi } from '../../src/kube/api-client.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { type ReconcilerDeps, StreamReconciler } from '../../src/stream/stream-reconciler.js';

export function stream(
  name: string,
  spec: Partial<StreamSpec> = {},
  meta: Partial<Stream['metadata']> = {},
): Stream {
  return {
    apiVersion: API_VERSION,
    kind: 'Stream',
    metadata: { name, namespace: 'media', uid: `uid-${name}`, generation: 1, ...meta },
    spec: { inputs: [{ url: 'udp://239.1.1.1:5000' }], ...spec },
  };
}

export function vodMount(name: string, spec: VodMountSpec): VodMount {
  return { apiVersion: API_VERSION, kind: 'VodMount', metadata: { name, namespace: 'media' }, spec };
}

/** A pod as the apiserver would report it, owned by `owner` (a Stream uid). */
export function pod(
  owner: string,
  overrides: { phase?: string; hash?: string; uid?: string; node?: string } = {},
): V1Pod {
  return {
    metadata: {
      name: 'news-ingest',
      namespace: 'media',
      uid: overrides.uid ?? 'pod-1',
      annotations: { 'tributary.io/spec-hash': overrides.hash ?? 'h1' },
      ownerReferences: [
        { apiVersion: API_VERSION, kind: 'Stream', name: 'news', uid: owner, controller: true },
      ],
    },
    spec: { containers: [], nodeName: overrides.node ?? 'node-a' },
    status: { phase: overrides.phase ?? 'Running' },
  };
}

/**
 * A reconciler over a fake API and cache, with the operator's default settings and no NATS (or a
 * fake of the pods' control subjects).
 */
export function testReconciler(
  api: KubeApi,
  cache: ObjectCache,
  control?: ReconcilerDeps['control'],
): StreamReconciler {
  const log = pino({ level: 'silent' });
  return new StreamReconciler({
    api,
    cache,
    ...(control && { control }),
    events: new EventRecorder(api, 'test', log),
    metrics: new OperatorMetrics({ defaultMetrics: false }),
    log,
    settings: {
      pod: { image: 'ingest:1', subjectPrefix: 'tributary', natsUrl: 'nats://n:4222', defaults: {} },
      validation: { allowHostPath: false },
      backoff: { baseMs: 1000, maxMs: 60_000, resetAfterMs: 60_000 },
      statusMinIntervalMs: 15_000,
      snapshotStaleMs: 16_000,
    },
  });
}
