// values.schema.json is generated from the annotated values.yaml (scripts/generate-values-schema.ts):
// the generator's rules, the committed file being its output, and helm applying it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readAnnotation } from '../../scripts/values-schema/annotations.js';
import { generateValuesSchema } from '../../scripts/values-schema/generate.js';
import { REPO_ROOT } from '../../tools/cluster/index.js';
import { CHART_DIR, runOk, template, type Values } from './chart-helm.js';

const properties = (yaml: string) =>
  generateValuesSchema(yaml, 'demo').properties as Record<string, Record<string, unknown>>;

describe('values schema generator', () => {
  test('types come from defaults, descriptions from "# --", keywords from "# @schema"', () => {
    const generated = properties(
      [
        '# A file header, not a description.',
        '',
        '# -- Operator replicas, a description that',
        '# wraps onto a second line.',
        '# @schema minimum:1 maximum:5',
        'replicas: 2',
        '# -- Ratio.',
        'ratio: 0.5',
        '# -- Labels.',
        '# @schema values:string',
        'labels: {}',
        '# -- Namespaces.',
        '# @schema items:string items.pattern:^[a-z]([-a-z]*)?$ items.maxLength:63',
        'namespaces: []',
        '# -- Level.',
        '# @schema enum:[debug, info]',
        'level: info',
        '# -- A section.',
        'section:',
        '  # -- Lease duration.',
        '  # @schema type:duration',
        '  lease: 15s',
      ].join('\n'),
    );
    assert.deepEqual(generated.replicas, {
      type: 'integer',
      description: 'Operator replicas, a description that wraps onto a second line.',
      minimum: 1,
      maximum: 5,
    });
    assert.deepEqual(generated.ratio, { type: 'number', description: 'Ratio.' });
    assert.deepEqual(generated.labels, {
      type: 'object',
      description: 'Labels.',
      additionalProperties: { type: 'string' },
    });
    assert.deepEqual(generated.namespaces, {
      type: 'array',
      description: 'Namespaces.',
      items: { type: 'string', pattern: '^[a-z]([-a-z]*)?$', maxLength: 63 },
    });
    assert.deepEqual(generated.level?.enum, ['debug', 'info']);
    assert.deepEqual(generated.section, {
      type: 'object',
      description: 'A section.',
      additionalProperties: false,
      properties: {
        lease: {
          type: 'string',
          description: 'Lease duration.',
          pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
        },
      },
    });
  });

  test('refuses values.yaml it cannot turn into a schema, naming the value and the fix', () => {
    for (const [yaml, message] of [
      ['replicas: 2', /replicas: describe it in a "# --" comment/],
      ['# -- Hosts.\nhosts: []', /hosts: say what the list holds with "# @schema items:<type>"/],
      ['# -- Class.\nclass: null', /class: the default is null; give its type/],
      [
        '# -- Wait.\n# @schema type:durration\nwait: 1s',
        /wait: unknown type "durration"; use a JSON type or one of duration/,
      ],
      ['# -- Replicas.\n# @schema minimun:1\nreplicas: 2', /replicas: unknown @schema keyword "minimun"/],
      ['# -- Replicas.\n# @schema minimum\nreplicas: 2', /"minimum" in "# @schema" is not key:value/],
      ['# -- Labels.\n# @schema values.minLength:1\nlabels: {}', /"values.minLength" needs "values:<type>"/],
    ] as const)
      assert.throws(() => properties(yaml), message, yaml);
  });

  test('a "# @schema" line needs a description above it and comes last', () => {
    assert.throws(() => readAnnotation(' @schema minimum:1', 'x'), /must follow a "# --" description/);
    assert.throws(
      () => readAnnotation(' -- Replicas.\n @schema minimum:1\n more text', 'x'),
      /description text after "# @schema"/,
    );
  });

  test('the committed values.schema.json is what `npm run generate:values-schema` writes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-values-schema-'));
    try {
      const out = path.join(dir, 'values.schema.json');
      await runOk(process.execPath, [
        '--import',
        import.meta.resolve('tsx'),
        path.join(REPO_ROOT, 'scripts/generate-values-schema.ts'),
        out,
      ]);
      assert.equal(
        fs.readFileSync(out, 'utf8'),
        fs.readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8'),
        'values.schema.json differs from values.yaml: run `npm run generate:values-schema`',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the generated schema, applied by helm', () => {
  test('accepts the defaults and well-formed overrides', async () => {
    for (const values of [
      {},
      {
        commonLabels: { team: 'video' },
        imagePullSecrets: [{ name: 'regcred' }],
        watchNamespaces: ['team-a', 'team-b'],
        operator: {
          replicas: 3,
          logLevel: 'debug',
          leaderElection: { leaseDuration: '1m30s' },
          resources: { requests: { cpu: 0.5 }, limits: { memory: '1Gi' } },
          podDisruptionBudget: { minAvailable: '50%' },
          extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=200' }],
          allowedNfsServers: ['*'],
        },
        nats: { maxPayload: '8MB', jetstream: { persistence: { enabled: true, size: '10Gi' } } },
        buffer: {
          enabled: true,
          namespaces: ['team-a'],
          windowSeconds: 120,
          maxMbPerStream: 512,
          resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '2Gi' } },
        },
      },
    ] as Values[]) {
      const result = await template(values);
      assert.equal(result.code, 0, `${JSON.stringify(values)}:\n${result.stderr}`);
    }
  });

  test('refuses typos, wrong enums, out-of-range numbers and malformed strings, naming the value', async () => {
    for (const [values, name] of [
      [{ operatr: { replicas: 2 } }, /operatr/],
      [{ nats: { jetstream: { persistence: { sise: '1Gi' } } } }, /sise/],
      [{ operator: { logLevel: 'verbose' } }, /\/operator\/logLevel/],
      [{ operator: { image: { pullPolicy: 'Sometimes' } } }, /\/operator\/image\/pullPolicy/],
      [{ operator: { replicas: -1 } }, /\/operator\/replicas/],
      [{ operator: { workers: 65 } }, /\/operator\/workers/],
      [{ operator: { resyncPeriod: 'hourly' } }, /\/operator\/resyncPeriod/],
      [{ operator: { resources: { limits: { memory: 'lots' } } } }, /\/operator\/resources\/limits\/memory/],
      [{ operator: { resources: { limit: { memory: '1Gi' } } } }, /limit/],
      [{ operator: { podDisruptionBudget: { minAvailable: 'half' } } }, /minAvailable/],
      [{ operator: { extraEnv: [{ value: 'x' }] } }, /\/operator\/extraEnv\/0/],
      [{ imagePullSecrets: ['regcred'] }, /\/imagePullSecrets\/0/],
      [{ commonLabels: { team: 1 } }, /\/commonLabels\/team/],
      [{ watchNamespaces: ['Team_A'] }, /\/watchNamespaces\/0/],
      [{ nameOverride: 'x'.repeat(41) }, /\/nameOverride/],
      [{ ingest: { image: { digest: 'sha256:abc' } } }, /\/ingest\/image\/digest/],
      [{ nats: { url: 'http://nats:4222' } }, /\/nats\/url/],
      [{ buffer: { windowSeconds: 3601 } }, /\/buffer\/windowSeconds/],
      [{ buffer: { resources: { limits: { memory: 'a lot' } } } }, /\/buffer\/resources\/limits\/memory/],
      [
        { pushListener: { autoscaling: { scaleDownStabilizationSeconds: 3601 } } },
        /scaleDownStabilizationSeconds/,
      ],
    ] as const) {
      const result = await template(values as Values);
      assert.notEqual(result.code, 0, `accepted ${JSON.stringify(values)}`);
      assert.match(result.stderr, name, JSON.stringify(values));
    }
  });
});
