import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { ConfigError, parseIngestConfig, type VodMount } from '@tributary/crds';
import {
  ANNOTATION_SPEC_HASH,
  buildIngestPod,
  type IngestPodSettings,
} from '../../src/reconcile/pod-manifest.js';
import { stream, vodMount } from '../support/fixtures.js';

const settings: IngestPodSettings = {
  image: 'ghcr.io/tributary/ingest-pod:1.0',
  subjectPrefix: 'tributary',
  natsUrl: 'nats://nats:4222',
  defaults: { resources: { requests: { cpu: '100m', memory: '96Mi' }, limits: { memory: '384Mi' } } },
};
const noMounts = new Map<string, VodMount>();
const container = (pod: V1Pod): V1Container => pod.spec!.containers[0]!;
const envValue = (pod: V1Pod, name: string) => container(pod).env?.find((e) => e.name === name);

test('the pod is owned by the Stream, labelled, annotated with its hash, and named after it', () => {
  const { pod, hash } = buildIngestPod(stream('news'), noMounts, [], settings);
  assert.equal(pod.metadata?.name, 'news-ingest');
  assert.equal(pod.metadata?.namespace, 'media');
  assert.deepEqual(pod.metadata?.ownerReferences, [
    {
      apiVersion: 'tributary.io/v1alpha1',
      kind: 'Stream',
      name: 'news',
      uid: 'uid-news',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(pod.metadata?.labels?.['app.kubernetes.io/name'], 'tributary-ingest');
  assert.equal(pod.metadata?.labels?.['tributary.io/stream'], 'news');
  assert.equal(pod.metadata?.annotations?.[ANNOTATION_SPEC_HASH], hash);
  assert.match(hash, /^[0-9a-f]{16}$/);
});

test('the pod config parses as the ingest pod reads it, with identity and failover in ms', () => {
  const s = stream(
    'news',
    {
      inputs: [{ url: 'udp://239.1.1.1:5000', pids: [0, 256] }, { url: 'https://cdn.example/live.m3u8' }],
      failover: { packetTimeout: '1s', failbackHoldDown: '12s' },
    },
    { generation: 7 },
  );
  const { pod } = buildIngestPod(s, noMounts, [], settings);
  const config = parseIngestConfig(envValue(pod, 'TRIBUTARY_STREAM')?.value ?? '');
  assert.ok(!(config instanceof ConfigError), String(config));
  assert.deepEqual(config.stream, { namespace: 'media', name: 'news', uid: 'uid-news', generation: 7 });
  assert.deepEqual(
    config.inputs.map((i) => [i.url, i.priority, i.pids]),
    [
      ['udp://239.1.1.1:5000', 0, [0, 256]],
      ['https://cdn.example/live.m3u8', 1, undefined],
    ],
  );
  assert.deepEqual(config.failover, { packetTimeoutMs: 1000, failbackHoldDownMs: 12000 });
  assert.equal(config.subjectPrefix, 'tributary');
  assert.equal(envValue(pod, 'NATS_URL')?.value, 'nats://nats:4222');
});

test('secret values never enter the config: they are env vars filled by secretKeyRef', () => {
  const s = stream('news', {
    inputs: [
      {
        url: 'https://cdn.example/live.m3u8',
        headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'cdn', key: 'auth' } }],
      },
      { url: 'publish://', publishKeySecretRef: { name: 'enc', key: 'key' } },
      {
        url: 'srt://10.0.0.1:9000',
        paramsFrom: [{ name: 'passphrase', secretKeyRef: { name: 'srt', key: 'pass' } }],
      },
    ],
  });
  const { pod } = buildIngestPod(s, noMounts, [], settings);
  const config = parseIngestConfig(envValue(pod, 'TRIBUTARY_STREAM')?.value ?? '');
  assert.ok(!(config instanceof ConfigError), String(config));
  const header = config.inputs[0]?.headersFromEnv[0];
  const publish = config.inputs[1]?.publishKeyEnv;
  const param = config.inputs[2]?.paramsFromEnv[0];
  assert.equal(header?.name, 'Authorization');
  assert.equal(param?.name, 'passphrase');
  assert.deepEqual(envValue(pod, header?.env ?? '')?.valueFrom, {
    secretKeyRef: { name: 'cdn', key: 'auth' },
  });
  assert.deepEqual(envValue(pod, publish ?? '')?.valueFrom, { secretKeyRef: { name: 'enc', key: 'key' } });
  assert.deepEqual(envValue(pod, param?.env ?? '')?.valueFrom, {
    secretKeyRef: { name: 'srt', key: 'pass' },
  });
  assert.equal(new Set([header?.env, publish, param?.env]).size, 3, 'one env var per secret');
});

test('the pod is locked down: no API token, non-root, read-only root, no capabilities, probes', () => {
  const { pod } = buildIngestPod(stream('news'), noMounts, [], settings);
  const spec = pod.spec!;
  assert.equal(spec.automountServiceAccountToken, false);
  assert.equal(spec.securityContext?.runAsNonRoot, true);
  const c = container(pod);
  assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'] });
  assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
  assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
  assert.equal(c.ports?.find((p) => p.name === c.readinessProbe?.httpGet?.port)?.containerPort, 8080);
  assert.equal(c.image, settings.image);
});

test('resources come from spec.pod, else from the operator defaults', () => {
  const defaulted = buildIngestPod(stream('news'), noMounts, [], settings).pod;
  assert.deepEqual(container(defaulted).resources, settings.defaults.resources);
  const own = buildIngestPod(
    stream('news', { pod: { resources: { requests: { cpu: 1, memory: '1Gi' } } } }),
    noMounts,
    [],
    settings,
  ).pod;
  assert.deepEqual(container(own).resources, { requests: { cpu: '1', memory: '1Gi' } });
});

test('VodMounts an input reads are mounted read-only at /vod/<mount>', () => {
  const s = stream('news', { inputs: [{ url: 'file://media/a.ts' }, { url: 'file://archive/b.ts' }] });
  const mounts = new Map([
    ['media', vodMount('media', { persistentVolumeClaim: { claimName: 'vod' } })],
    ['archive', vodMount('archive', { nfs: { server: 'nas', path: '/exports/vod' } })],
  ]);
  const { pod } = buildIngestPod(s, mounts, [], settings);
  const vod = container(pod).volumeMounts?.filter((m) => m.mountPath.startsWith('/vod/'));
  assert.deepEqual(
    vod?.map((m) => [m.mountPath, m.readOnly]),
    [
      ['/vod/media', true],
      ['/vod/archive', true],
    ],
  );
  const volumes = pod.spec?.volumes ?? [];
  assert.deepEqual(volumes.find((v) => v.name === 'vod-media')?.persistentVolumeClaim, {
    claimName: 'vod',
    readOnly: true,
  });
  assert.equal(volumes.find((v) => v.name === 'vod-archive')?.nfs?.readOnly, true);
});

test('the hash changes with what needs a new pod, not with the generation or the ladder', () => {
  const base = buildIngestPod(stream('news'), noMounts, [], settings).hash;
  const laddered = stream('news', { ladder: [{ name: '720p', bitrateKbps: 3000 }] }, { generation: 2 });
  assert.equal(buildIngestPod(laddered, noMounts, [], settings).hash, base);
  assert.notEqual(buildIngestPod(stream('news'), noMounts, [], { ...settings, image: 'x:2' }).hash, base);
  const hostNetwork = stream('news', { pod: { hostNetwork: true } });
  assert.notEqual(buildIngestPod(hostNetwork, noMounts, [], settings).hash, base);
});

test('inputs and failover settings are live: the pod shape hash stays, the live config carries them', () => {
  const live = { ...settings, liveEdits: true };
  const base = buildIngestPod(stream('news'), noMounts, [], live);
  const edited = stream(
    'news',
    {
      inputs: [{ url: 'udp://239.1.1.2:5000' }, { url: 'udp://239.1.1.3:5000', params: { a: 'b' } }],
      failover: { packetTimeout: '3s' },
    },
    { generation: 2 },
  );
  const desired = buildIngestPod(edited, noMounts, [], live);
  assert.equal(desired.hash, base.hash, 'a change of inputs and failover only keeps the pod');
  // Without live edits (no NATS to relay them), the same change replaces the pod.
  assert.notEqual(
    buildIngestPod(edited, noMounts, [], settings).hash,
    buildIngestPod(stream('news'), noMounts, [], settings).hash,
  );
  assert.deepEqual(desired.live, {
    generation: 2,
    inputs: [
      { url: 'udp://239.1.1.2:5000', priority: 0 },
      { url: 'udp://239.1.1.3:5000', priority: 1, params: { a: 'b' } },
    ],
    failover: { packetTimeoutMs: 3000 },
  });
  // A new pod still starts with the whole configuration.
  const config = JSON.parse(envValue(desired.pod, 'TRIBUTARY_STREAM')?.value ?? '{}');
  assert.equal(config.inputs.length, 2);
  assert.equal(config.stream.generation, 2);
});

test('a Secret env var added, or a push input added, changes the pod shape hash', () => {
  const live = { ...settings, liveEdits: true };
  // The same digests on both sides: only the env vars differ.
  const digests = ['cdn/auth=aaaa', 'enc/key=aaaa'];
  const base = buildIngestPod(
    stream('news', { inputs: [{ url: 'https://cdn/x.m3u8' }] }),
    noMounts,
    digests,
    live,
    'salt',
  );
  const withSecret = stream('news', {
    inputs: [
      {
        url: 'https://cdn/x.m3u8',
        headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'cdn', key: 'auth' } }],
      },
    ],
  });
  assert.notEqual(buildIngestPod(withSecret, noMounts, digests, live, 'salt').hash, base.hash);
  const withPush = stream('news', {
    inputs: [
      { url: 'https://cdn/x.m3u8' },
      { url: 'publish://', publishKeySecretRef: { name: 'enc', key: 'key' } },
    ],
  });
  assert.notEqual(buildIngestPod(withPush, noMounts, digests, live, 'salt').hash, base.hash);
});

test('a rotated secret value changes the hash, so the pod is replaced and reads it', () => {
  const s = stream('news', {
    inputs: [{ url: 'publish://', publishKeySecretRef: { name: 'enc', key: 'key' } }],
  });
  const before = buildIngestPod(s, noMounts, ['enc/key=aaaa'], settings, 'salt-1').hash;
  assert.equal(buildIngestPod(s, noMounts, ['enc/key=aaaa'], settings, 'salt-1').hash, before);
  assert.notEqual(buildIngestPod(s, noMounts, ['enc/key=bbbb'], settings, 'salt-1').hash, before);
});

test('Secret digests enter the hash salted: another salt, another hash; the pod keeps its salt', () => {
  const s = stream('news', {
    inputs: [{ url: 'publish://', publishKeySecretRef: { name: 'enc', key: 'key' } }],
  });
  const one = buildIngestPod(s, noMounts, ['enc/key=aaaa'], settings, 'salt-1');
  const two = buildIngestPod(s, noMounts, ['enc/key=aaaa'], settings, 'salt-2');
  assert.notEqual(one.hash, two.hash);
  assert.equal(one.pod.metadata?.annotations?.['tributary.io/secret-salt'], 'salt-1');
  assert.ok(!JSON.stringify(one.pod).includes('aaaa'), 'the digest itself appears nowhere');
});

test('NATS credentials come from a Secret mounted read-only, named by NATS_CREDS', () => {
  const { pod } = buildIngestPod(stream('news'), noMounts, [], {
    ...settings,
    natsCredentials: { secret: 'nats-user', key: 'user.creds' },
  });
  const creds = envValue(pod, 'NATS_CREDS')?.value ?? '';
  const mount = container(pod).volumeMounts?.find((m) => creds.startsWith(`${m.mountPath}/`));
  assert.ok(mount?.readOnly);
  const volume = pod.spec?.volumes?.find((v) => v.name === mount?.name);
  assert.equal(volume?.secret?.secretName, 'nats-user');
});

test("with NATS authorization each pod mounts its own Stream's credential Secret", () => {
  const volumeOf = (name: string) => {
    const { pod } = buildIngestPod(stream(name), noMounts, [], {
      ...settings,
      natsCredentials: 'per-stream',
    });
    const creds = envValue(pod, 'NATS_CREDS')?.value ?? '';
    const mount = container(pod).volumeMounts?.find((m) => creds.startsWith(`${m.mountPath}/`));
    assert.ok(mount?.readOnly);
    return pod.spec?.volumes?.find((v) => v.name === mount?.name)?.secret;
  };
  assert.equal(volumeOf('news')?.secretName, 'news-ingest-nats');
  assert.equal(volumeOf('sport')?.secretName, 'sport-ingest-nats');
  assert.deepEqual(volumeOf('news')?.items, [{ key: 'nats.creds', path: 'nats.creds' }]);
});

test('what copy:// inputs read is pod shape (the NATS credential grants it); the ladder rung reaches the pod', () => {
  const live = { ...settings, liveEdits: true };
  const plain = buildIngestPod(stream('news'), noMounts, [], live);
  const copying = stream('news', { inputs: [{ url: 'copy://cam' }, { url: 'udp://239.1.1.2:5000' }] });
  const own = buildIngestPod(copying, noMounts, [], live, '', [{ stream: 'cam' }]);
  const rung = buildIngestPod(copying, noMounts, [], live, '', [{ stream: 'cam', rung: '720p' }]);
  assert.notEqual(own.hash, plain.hash, 'a copy input added replaces the pod');
  assert.notEqual(rung.hash, own.hash, 'another rung replaces the pod');
  assert.equal(
    buildIngestPod(stream('news'), noMounts, [], live, '', []).hash,
    plain.hash,
    'Streams without copy inputs keep their hash',
  );
  assert.deepEqual(rung.live.inputs[0], { url: 'copy://cam', priority: 0, copyRung: '720p' });
  assert.equal(own.live.inputs[0]?.copyRung, undefined);
  const config = parseIngestConfig(envValue(rung.pod, 'TRIBUTARY_STREAM')?.value ?? '');
  assert.ok(!(config instanceof ConfigError), 'the pod accepts the rung');
  assert.equal(config instanceof ConfigError ? undefined : config.inputs[0]?.copyRung, '720p');
});
