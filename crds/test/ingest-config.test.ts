import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseIngestConfig } from '../src/index.js';

const stream = { namespace: 'default', name: 'news', uid: '6f1c', generation: 3 };
const minimal = { stream, inputs: [{ url: 'udp://239.1.1.1:5000', priority: 0 }] };

describe('parseIngestConfig', () => {
  test('fills in defaults for what may be omitted', () => {
    assert.deepEqual(parseIngestConfig(JSON.stringify(minimal)), {
      stream,
      inputs: [
        {
          url: 'udp://239.1.1.1:5000',
          priority: 0,
          headers: {},
          headersFromEnv: [],
          params: {},
          paramsFromEnv: [],
        },
      ],
      failover: {},
      subjectPrefix: 'tributary',
    });
  });

  test('keeps everything the operator writes', () => {
    const full = {
      stream,
      inputs: [
        {
          url: 'https://cdn.example.com/a.m3u8',
          priority: 0,
          headers: { 'X-Token': 'abc' },
          headersFromEnv: [{ name: 'Authorization', env: 'TRIBUTARY_INPUT_0_HEADER_0' }],
          timeoutSeconds: 10,
          insecureTLS: true,
          pids: [0, 256],
          program: 1,
        },
        {
          url: 'srt://e.example:9000',
          priority: 1,
          params: { latency: '200' },
          paramsFromEnv: [{ name: 'passphrase', env: 'TRIBUTARY_INPUT_1_PARAM_0' }],
          headers: {},
          headersFromEnv: [],
        },
        {
          url: 'publish://',
          priority: 2,
          publishKeyEnv: 'TRIBUTARY_PUBLISH_KEY',
          headers: {},
          headersFromEnv: [],
          params: {},
          paramsFromEnv: [],
        },
      ],
      failover: {
        packetTimeoutMs: 1000,
        probeAfterMs: 8000,
        probeTimeoutMs: 3000,
        failbackHoldDownMs: 12000,
      },
      subjectPrefix: 'prod.tributary',
    };
    const parsed = parseIngestConfig(JSON.stringify(full));
    assert.ok(!(parsed instanceof ConfigError), String(parsed));
    assert.deepEqual(parsed.inputs[0]?.headersFromEnv, full.inputs[0]?.headersFromEnv);
    assert.deepEqual(parsed.inputs[1]?.paramsFromEnv, full.inputs[1]?.paramsFromEnv);
    assert.equal(parsed.inputs[2]?.publishKeyEnv, 'TRIBUTARY_PUBLISH_KEY');
    assert.deepEqual(parsed.failover, full.failover);
    assert.equal(parsed.subjectPrefix, 'prod.tributary');
  });

  const withInput = (input: Record<string, unknown>) => ({
    stream,
    inputs: [{ url: 'udp://239.1.1.1:5000', priority: 0, ...input }],
  });
  const bad: [string, string | object, string[]][] = [
    ['not JSON', '{', ['']],
    ['no stream', { inputs: minimal.inputs }, ['stream']],
    ['no uid', { ...minimal, stream: { namespace: 'default', name: 'news', generation: 1 } }, ['stream.uid']],
    ['no url', { stream, inputs: [{ priority: 0 }] }, ['inputs[0].url']],
    ['no inputs', { stream, inputs: [] }, ['inputs']],
    ['unknown top-level field', { ...minimal, extra: 1 }, ['extra']],
    ['unknown input field (a typo)', withInput({ header: {} }), ['inputs[0].header']],
    [
      'priority not the index',
      { stream, inputs: [{ url: 'udp://1.2.3.4:5', priority: 1 }] },
      ['inputs[0].priority'],
    ],
    [
      'a secret inline instead of an env var name',
      withInput({ publishKeyEnv: 'my secret' }),
      ['inputs[0].publishKeyEnv'],
    ],
    [
      'env name starting with a digit',
      withInput({ headersFromEnv: [{ name: 'A', env: '1X' }] }),
      ['inputs[0].headersFromEnv[0].env'],
    ],
    ['negative timeout', { ...minimal, failover: { packetTimeoutMs: -1 } }, ['failover.packetTimeoutMs']],
    ['pid out of range', withInput({ pids: [9000] }), ['inputs[0].pids[0]']],
    [
      'operation budget above the CRD bound',
      withInput({ timeoutSeconds: 86_400 }),
      ['inputs[0].timeoutSeconds'],
    ],
    ['copy rung that is no rendition name', withInput({ copyRung: '720p.x' }), ['inputs[0].copyRung']],
    ['bad subject prefix', { ...minimal, subjectPrefix: 'a.>' }, ['subjectPrefix']],
    ['bad stream name', { ...minimal, stream: { ...stream, name: 'News' } }, ['stream.name']],
  ];
  for (const [name, config, fields] of bad) {
    test(`${name} -> ${fields.join(', ') || '(document)'}`, () => {
      const result = parseIngestConfig(typeof config === 'string' ? config : JSON.stringify(config));
      assert.ok(result instanceof ConfigError, 'accepted');
      assert.deepEqual([...new Set(result.problems.map((p) => p.field))], fields);
      for (const field of fields) if (field) assert.ok(result.message.includes(field), result.message);
    });
  }
});
