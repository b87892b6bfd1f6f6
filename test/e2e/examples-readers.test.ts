// Every Stream in examples/ goes through what the pod does with it: the operator's pod config,
// the pod's config parser, secret resolution and reader selection. An example may only show an
// input kind the pod can read today.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseIngestConfig, type Stream, subjects } from '@tributary/crds';
import { resolveInput } from '../../ingest-pod/src/ingest/resolve-input.js';
import { PushRelayHub } from '../../ingest-pod/src/push/push-relay-hub.js';
import { createReader } from '../../ingest-pod/src/sources/create-reader.js';
import { ingestPodConfig } from '../../operator/src/reconcile/ingest-config.js';
import { parseManifest, REPO_ROOT } from '../../tools/cluster/index.js';

const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const PREFIX = 'tributary';

/** The pod's view of NATS for push and copy inputs: nothing arrives, the readers are only built. */
function podContext(namespace: string, name: string) {
  const silent = () => ({ unsubscribe() {} });
  return {
    vodRoot: '/vod',
    push: new PushRelayHub(subjects(PREFIX, namespace, name).push, silent),
    copy: {
      subjectsOf: (source: { stream: string }) => subjects(PREFIX, namespace, source.stream),
      subscribe: silent,
    },
  };
}

const streams = fs
  .readdirSync(EXAMPLES_DIR)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseManifest(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'))
      .filter((object) => object.kind === 'Stream')
      .map((object) => ({ file, stream: object as unknown as Stream })),
  );

test('examples/ has Streams to check', () => assert.ok(streams.length >= 5, `${streams.length} Streams`));

for (const { file, stream } of streams) {
  test(`${file}: ${stream.metadata.name}'s inputs are read by the pod's readers`, async () => {
    const named: Stream = {
      ...stream,
      metadata: { ...stream.metadata, namespace: 'examples', uid: 'uid-1' },
    };
    const { config, secretEnv } = ingestPodConfig(named, PREFIX);
    const parsed = parseIngestConfig(JSON.stringify(config));
    assert.ok(!(parsed instanceof ConfigError), String(parsed));
    // Secret values as the kubelet would fill them from the Secrets.
    const env = Object.fromEntries(secretEnv.map((e) => [e.name, 'an-example-secret-value']));
    for (const [priority, input] of parsed.inputs.entries()) {
      const resolved = resolveInput(input, priority, env);
      assert.equal(resolved.unusable, undefined, `${input.url}: ${resolved.unusable}`);
      const reader = createReader(resolved.reader, podContext('examples', stream.metadata.name));
      assert.ok(reader, input.url);
      await reader.close();
    }
  });
}

test('an input the pod cannot read fails this check (so the checks above can fail)', () => {
  const input = {
    url: 'rtp://239.1.1.1:5000',
    priority: 0,
    headers: {},
    headersFromEnv: [],
    params: {},
    paramsFromEnv: [],
  };
  const resolved = resolveInput(input, 0, {});
  assert.throws(() => createReader(resolved.reader, podContext('examples', 'x')), /is not supported/);
});
