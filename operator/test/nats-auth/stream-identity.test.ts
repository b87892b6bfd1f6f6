import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stream } from '@tributary/crds';
import { streamIdentity } from '../../src/nats-auth/stream-identity.js';

const stream = (urls: string[]) =>
  ({
    apiVersion: 'tributary.io/v1alpha1',
    kind: 'Stream',
    metadata: { name: 'mirror', namespace: 'news' },
    spec: { inputs: urls.map((url) => ({ url })) },
  }) as Stream;

test("a Stream's identity names the Streams its copy:// inputs read, once each", () => {
  assert.deepEqual(
    streamIdentity(stream(['copy://cam', 'udp://127.0.0.1:5000', 'copy://studio/', 'COPY://cam'])),
    {
      kind: 'stream',
      namespace: 'news',
      stream: 'mirror',
      copyFrom: [{ stream: 'cam' }, { stream: 'studio' }],
    },
  );
});

test('a Stream without copy:// inputs keeps the plain identity (its credential is not re-minted)', () => {
  assert.deepEqual(streamIdentity(stream(['udp://127.0.0.1:5000'])), {
    kind: 'stream',
    namespace: 'news',
    stream: 'mirror',
  });
});

test('the rung the operator chose for a ladder upstream is what the identity grants', () => {
  assert.deepEqual(streamIdentity(stream(['copy://cam']), [{ stream: 'cam', rung: '720p' }]).copyFrom, [
    { stream: 'cam', rung: '720p' },
  ]);
});
