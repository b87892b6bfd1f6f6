import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { generatedFiles } from '../src/crd/files.js';
import { RULES, type Rule } from '../src/rules.js';

const root = join(import.meta.dirname, '..', '..');
type Schema = { [key: string]: unknown };

test('committed generated files match the schema (run `npm run generate -w crds` after a schema change)', () => {
  for (const file of generatedFiles()) {
    const committed = readFileSync(join(root, file.path), 'utf8');
    assert.ok(committed === file.content, `${file.path} is stale: run npm run generate -w crds`);
  }
});

const [streamYaml, vodMountYaml] = generatedFiles().map((f) => f.content);
const crds = { Stream: parse(streamYaml ?? '') as Schema, VodMount: parse(vodMountYaml ?? '') as Schema };

function version(crd: Schema): Schema {
  return ((crd.spec as Schema).versions as Schema[])[0] as Schema;
}
function openApi(crd: Schema): Schema {
  return (version(crd).schema as Schema).openAPIV3Schema as Schema;
}
/** Every schema node with its path. */
function* walk(schema: Schema, path: string): Generator<[string, Schema]> {
  yield [path, schema];
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    yield* walk(child, `${path}.${name}`);
  }
  if (schema.items) yield* walk(schema.items as Schema, `${path}[]`);
  if (typeof schema.additionalProperties === 'object')
    yield* walk(schema.additionalProperties as Schema, `${path}{}`);
}

describe('generated CRDs', () => {
  for (const [kind, crd] of Object.entries(crds)) {
    test(`${kind}: apiextensions.k8s.io/v1, namespaced, status subresource`, () => {
      assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
      assert.equal(crd.kind, 'CustomResourceDefinition');
      const spec = crd.spec as Schema;
      assert.equal(spec.group, 'tributary.io');
      assert.equal(spec.scope, 'Namespaced');
      assert.equal((spec.names as Schema).kind, kind);
      assert.equal((crd.metadata as Schema).name, `${(spec.names as Schema).plural}.tributary.io`);
      const v = version(crd);
      assert.equal(v.name, 'v1alpha1');
      assert.equal(v.served, true);
      assert.equal(v.storage, true);
      assert.deepEqual(v.subresources, { status: {} });
    });

    test(`${kind}: every field has a description`, () => {
      const props = openApi(crd).properties as Record<string, Schema>;
      for (const part of ['spec', 'status']) {
        for (const [path, node] of walk(props[part] as Schema, part)) {
          if (path.endsWith('{}') || path.endsWith('[]')) continue; // map values and list items are described by their parent
          assert.ok(
            typeof node.description === 'string' && node.description.length > 10,
            `${path} has no description`,
          );
        }
      }
    });

    test(`${kind}: arrays and strings under spec are bounded, so CEL cost estimates stay in budget`, () => {
      const spec = (openApi(crd).properties as Record<string, Schema>).spec as Schema;
      for (const [path, node] of walk(spec, 'spec')) {
        if (node.type === 'array') assert.ok(node.maxItems !== undefined, `${path} has no maxItems`);
        if (node.type === 'string' && node.enum === undefined && !path.endsWith('{}')) {
          assert.ok(node.maxLength !== undefined, `${path} has no maxLength`);
        }
      }
    });

    test(`${kind}: every CEL rule has a message and a reason that keeps it`, () => {
      for (const [path, node] of walk(openApi(crd), kind)) {
        for (const v of (node['x-kubernetes-validations'] ?? []) as Schema[]) {
          assert.ok(typeof v.message === 'string' && v.message.length > 10, `${path}: ${v.rule}`);
          assert.ok(
            v.reason === undefined || v.reason !== 'FieldValueDuplicate',
            `${path}: Duplicate drops the message`,
          );
        }
      }
    });
  }

  test('Stream printer columns: Phase, Active, Bitrate, Failovers, Age, and the push endpoints with -o wide', () => {
    const columns = version(crds.Stream).additionalPrinterColumns as Schema[];
    assert.deepEqual(
      columns.map((c) => c.name),
      ['Phase', 'Active', 'Bitrate', 'Failovers', 'Age', 'RTMP', 'SRT'],
    );
    assert.deepEqual(
      columns.filter((c) => c.priority === 1).map((c) => c.name),
      ['RTMP', 'SRT'],
      'the push endpoints only with -o wide',
    );
    const status = (openApi(crds.Stream).properties as Record<string, Schema>).status as Schema;
    const statusFields = Object.keys(status.properties as Schema);
    for (const column of columns.slice(0, 4)) {
      const field = String(column.jsonPath).replace('.status.', '');
      assert.ok(statusFields.includes(field), `${column.name} -> ${column.jsonPath}`);
    }
  });

  test('every rule with a CEL form is in the CRDs, with the same message', () => {
    const placed = new Map<string, number>();
    for (const crd of Object.values(crds)) {
      for (const [, node] of walk(openApi(crd), '')) {
        for (const v of (node['x-kubernetes-validations'] ?? []) as Schema[]) {
          placed.set(String(v.message), (placed.get(String(v.message)) ?? 0) + 1);
        }
      }
    }
    for (const [id, rule] of Object.entries(RULES) as [string, Rule][]) {
      const count = placed.get(rule.message) ?? 0;
      // A placement may be used more than once (duration-format sits on each failover field).
      if (rule.cel) assert.ok(count >= rule.cel.length, `${id} is missing from the CRDs`);
      else assert.equal(count, 0, `${id} has no CEL form but its message is in a CRD`);
    }
  });

  test('the reference names every field and every rule', () => {
    const reference = readFileSync(join(root, 'docs/stream-reference.md'), 'utf8');
    for (const id of Object.keys(RULES)) assert.ok(reference.includes(`\`${id}\``), id);
    for (const [path] of walk(
      (openApi(crds.Stream).properties as Record<string, Schema>).spec as Schema,
      'spec',
    )) {
      const name = path
        .split('.')
        .at(-1)
        ?.replace(/(\[\]|\{\})+$/, '');
      if (name && name !== 'spec') assert.ok(reference.includes(`\`${name}\``), path);
    }
  });
});
