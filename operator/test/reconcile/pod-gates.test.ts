import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stream, VodMount } from '@tributary/crds';
import { type ValidationWorld, validateAgainstWorld } from '../../src/reconcile/cross-validate.js';
import { nfsServerAllowed, type PodGates } from '../../src/reconcile/pod-gates.js';
import { stream, vodMount } from '../support/fixtures.js';

const DEFAULTS = { limits: { memory: '384Mi' } };
const open: PodGates = {
  allowHostNetwork: true,
  allowedNfsServers: '*',
  requireMemoryLimit: true,
  defaultResources: DEFAULTS,
};

function world(
  mounts: VodMount[] = [],
  secrets: Record<string, { keys: string[]; labels?: Record<string, string> }> = {},
): ValidationWorld {
  return {
    stream: () => undefined,
    vodMount: (name) => mounts.find((m) => m.metadata.name === name),
    secretKeys: (name) => secrets[name]?.keys,
    secretLabels: (name) => (secrets[name] ? (secrets[name].labels ?? {}) : undefined),
  };
}

const problems = (s: Stream, gates: PodGates, w = world()) =>
  validateAgainstWorld(s, w, { allowHostPath: false, gates });

test('hostNetwork is refused without --allow-host-network, naming the field and the flag', () => {
  const s = stream('news', { pod: { hostNetwork: true } });
  const [problem, ...rest] = problems(s, { ...open, allowHostNetwork: false });
  assert.equal(rest.length, 0);
  assert.equal(problem?.reason, 'HostNetworkNotAllowed');
  assert.match(problem?.message ?? '', /spec\.pod\.hostNetwork/);
  assert.match(problem?.message ?? '', /--allow-host-network/);
  assert.deepEqual(problems(s, open), []);
});

test('without gates (an older caller), hostNetwork and NFS are refused', () => {
  const s = stream('news', { pod: { hostNetwork: true }, inputs: [{ url: 'file://nas/a.ts' }] });
  const w = world([vodMount('nas', { nfs: { server: 'nas.example', path: '/vod' } })]);
  const reasons = validateAgainstWorld(s, w, { allowHostPath: false }).map((p) => p.reason);
  assert.deepEqual(reasons.sort(), ['HostNetworkNotAllowed', 'NfsServerNotAllowed']);
});

test('an NFS server not on --allowed-nfs-servers is refused, naming the field and the flag', () => {
  const s = stream('news', { inputs: [{ url: 'file://nas/a.ts' }] });
  const w = world([vodMount('nas', { nfs: { server: 'rogue.example', path: '/vod' } })]);
  const [problem] = problems(s, { ...open, allowedNfsServers: ['nas.example'] }, w);
  assert.equal(problem?.reason, 'NfsServerNotAllowed');
  assert.match(problem?.message ?? '', /spec\.nfs\.server "rogue\.example"/);
  assert.match(problem?.message ?? '', /--allowed-nfs-servers/);
  assert.deepEqual(problems(s, { ...open, allowedNfsServers: ['ROGUE.example'] }, w), []);
  assert.deepEqual(problems(s, { ...open, allowedNfsServers: '*' }, w), []);
});

test('nfsServerAllowed: exact host names, any case; * for any; none by default', () => {
  assert.equal(nfsServerAllowed('nas.example', []), false);
  assert.equal(nfsServerAllowed('nas.example', ['nas.example.evil']), false);
  assert.equal(nfsServerAllowed('10.0.0.5', ['10.0.0.5']), true);
  assert.equal(nfsServerAllowed('anything', '*'), true);
});

test('a memory limit is required: from the defaults, or from the Stream that replaces them', () => {
  const gates = open;
  assert.deepEqual(problems(stream('a'), gates), [], 'the defaults give one');
  const removes = stream('b', { pod: { resources: { requests: { cpu: '1' } } } });
  const [problem] = problems(removes, gates);
  assert.equal(problem?.reason, 'MemoryLimitRequired');
  assert.match(problem?.message ?? '', /spec\.pod\.resources\.limits\.memory/);
  assert.match(problem?.message ?? '', /--require-memory-limit/);
  const own = stream('c', { pod: { resources: { limits: { memory: '256Mi' } } } });
  assert.deepEqual(problems(own, { ...gates, defaultResources: undefined }), []);
  const [none] = problems(stream('d'), { ...gates, defaultResources: { requests: { cpu: '1' } } });
  assert.match(none?.message ?? '', /default pod resources have no memory limit/);
  assert.deepEqual(problems(removes, { ...gates, requireMemoryLimit: false }), []);
});

test('with --secret-label, a Secret without the label is refused, naming the field and the label', () => {
  const s = stream('news', {
    inputs: [
      { url: 'udp://239.1.1.1:5000' },
      {
        url: 'https://cdn.example/live.m3u8',
        headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'cdn', key: 'auth' } }],
      },
    ],
  });
  const gates = { ...open, secretLabel: { key: 'tributary.io/ingest', value: 'allowed' } };
  const unlabelled = world([], { cdn: { keys: ['auth'] } });
  const [problem] = problems(s, gates, unlabelled);
  assert.equal(problem?.reason, 'SecretNotLabeled');
  assert.match(problem?.message ?? '', /spec\.inputs\[1\]\.headersFrom\[Authorization\]/);
  assert.match(problem?.message ?? '', /tributary\.io\/ingest=allowed/);
  const [absent] = problems(s, gates, world());
  assert.equal(absent?.reason, 'SecretNotLabeled', 'not watched looks like absent: same message');
  const labelled = world([], { cdn: { keys: ['auth'], labels: { 'tributary.io/ingest': 'allowed' } } });
  assert.deepEqual(problems(s, gates, labelled), []);
  assert.deepEqual(problems(s, open, unlabelled), [], 'no label required without the flag');
});
