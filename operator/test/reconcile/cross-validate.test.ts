import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stream, VodMount } from '@tributary/crds';
import { type ValidationWorld, validateAgainstWorld } from '../../src/reconcile/cross-validate.js';
import { dependentsOf } from '../../src/reconcile/references.js';
import { stream, vodMount } from '../support/fixtures.js';

function world(
  streams: Stream[] = [],
  mounts: VodMount[] = [],
  secrets: Record<string, string[]> = {},
): ValidationWorld {
  return {
    stream: (name) => streams.find((s) => s.metadata.name === name),
    vodMount: (name) => mounts.find((m) => m.metadata.name === name),
    secretKeys: (name) => secrets[name],
  };
}
const options = { allowHostPath: false };

test('a Stream whose references all exist is valid', () => {
  const s = stream('news', {
    inputs: [
      { url: 'file://media/a.ts' },
      {
        url: 'https://cdn.example/live.m3u8',
        headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'cdn', key: 'auth' } }],
      },
    ],
  });
  const w = world([s], [vodMount('media', { configMap: { name: 'clips' } })], { cdn: ['auth'] });
  assert.deepEqual(validateAgainstWorld(s, w, options), []);
});

test('a missing VodMount is reported with the input that names it', () => {
  const s = stream('news', { inputs: [{ url: 'udp://239.1.1.1:5000' }, { url: 'file://media/a.ts' }] });
  assert.deepEqual(validateAgainstWorld(s, world([s]), options), [
    {
      reason: 'VodMountNotFound',
      message: 'input 1 (file://media/a.ts): VodMount "media" does not exist in namespace "media"',
    },
  ]);
});

test('a hostPath VodMount is refused unless the installation allows it', () => {
  const s = stream('news', { inputs: [{ url: 'file://disk/a.ts' }] });
  const w = world([s], [vodMount('disk', { hostPath: { path: '/srv/vod' } })]);
  assert.equal(validateAgainstWorld(s, w, options)[0]?.reason, 'HostPathNotAllowed');
  assert.deepEqual(validateAgainstWorld(s, w, { allowHostPath: true }), []);
});

test('missing Secrets and missing keys are told apart', () => {
  const s = stream('news', {
    inputs: [
      { url: 'publish://', publishKeySecretRef: { name: 'enc', key: 'key' } },
      {
        url: 'srt://10.0.0.1:9000',
        paramsFrom: [{ name: 'passphrase', secretKeyRef: { name: 'srt', key: 'pass' } }],
      },
    ],
  });
  const problems = validateAgainstWorld(s, world([s], [], { enc: ['other'] }), options);
  assert.deepEqual(
    problems.map((p) => p.reason),
    ['SecretKeyNotFound', 'SecretNotFound'],
  );
  assert.match(
    problems[0]!.message,
    /^input 0 \(publish:\/\/\): publishKeySecretRef: Secret "enc" has no key "key"$/,
  );
  assert.match(problems[1]!.message, /^input 1 .*paramsFrom passphrase: Secret "srt" does not exist/);
});

test('copy:// needs an existing upstream', () => {
  const s = stream('copy', { inputs: [{ url: 'copy://news' }] });
  assert.deepEqual(
    validateAgainstWorld(s, world([s]), options).map((p) => p.reason),
    ['UpstreamNotFound'],
  );
  assert.deepEqual(validateAgainstWorld(s, world([s, stream('news')]), options), []);
});

test('a copy:// cycle is reported with its path; a Stream copying itself by the CEL rule', () => {
  const a = stream('a', { inputs: [{ url: 'copy://b' }] });
  const b = stream('b', { inputs: [{ url: 'copy://c' }] });
  const c = stream('c', { inputs: [{ url: 'copy://a' }] });
  const problems = validateAgainstWorld(a, world([a, b, c]), options);
  assert.deepEqual(problems, [
    { reason: 'CopyCycle', message: 'input 0 (copy://b): the copy:// inputs form a cycle: a -> b -> c -> a' },
  ]);
  const self = stream('loop', { inputs: [{ url: 'copy://loop' }] });
  assert.deepEqual(
    validateAgainstWorld(self, world([self]), options).map((p) => p.reason),
    ['CopySelf'],
  );
});

test('copying a Stream with a ladder must be the only input', () => {
  const upstream = stream('news', { ladder: [{ name: '720p', bitrateKbps: 3000 }] });
  const only = stream('copy', { inputs: [{ url: 'copy://news' }] });
  assert.deepEqual(validateAgainstWorld(only, world([upstream, only]), options), []);
  const withFallback = stream('copy', { inputs: [{ url: 'copy://news' }, { url: 'udp://239.1.1.1:5000' }] });
  const problems = validateAgainstWorld(withFallback, world([upstream, withFallback]), options);
  assert.equal(problems[0]?.reason, 'UpstreamHasLadder');
  assert.match(problems[0]?.message ?? '', /input 0 \(copy:\/\/news\).*1 rendition/);
});

test('single-object rules still apply (objects stored before the CRD rules)', () => {
  const s = stream('news', { inputs: [{ url: 'ftp://example/x' }] });
  assert.equal(validateAgainstWorld(s, world([s]), options)[0]?.reason, 'UrlScheme');
});

test('the NATS credentials Secret must exist when ingest pods mount it', () => {
  const s = stream('news');
  const creds = { allowHostPath: false, natsCredentials: { secret: 'nats', key: 'user.creds' } };
  assert.equal(validateAgainstWorld(s, world([s]), creds)[0]?.reason, 'NatsCredentialsNotFound');
  assert.deepEqual(validateAgainstWorld(s, world([s], [], { nats: ['user.creds'] }), creds), []);
});

test('dependents are the Streams that copy a Stream, directly or through others', () => {
  const streams = [
    stream('news'),
    stream('copy1', { inputs: [{ url: 'copy://news' }] }),
    stream('copy2', { inputs: [{ url: 'copy://copy1' }] }),
    stream('other', { inputs: [{ url: 'copy://sport' }] }),
  ];
  assert.deepEqual(dependentsOf('news', streams).sort(), ['copy1', 'copy2']);
  assert.deepEqual(dependentsOf('copy2', streams), []);
});
