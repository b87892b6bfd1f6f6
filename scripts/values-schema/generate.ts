// values.schema.json from values.yaml: types from the defaults, descriptions from the `# --`
// comments, everything else from `# @schema` annotations (see annotations.ts, named-types.ts).
import { isMap, isScalar, isSeq, type Node, parseDocument, type YAMLMap } from 'yaml';
import { type Annotation, readAnnotation } from './annotations.js';
import type { JsonSchema } from './json-schema.js';
import { NAMED_TYPES } from './named-types.js';

const JSON_TYPES = new Set(['string', 'boolean', 'integer', 'number', 'object', 'array', 'null']);

/** Keywords an annotation may set; anything else is most likely a typo. */
const KEYWORDS = new Set([
  'type',
  'items',
  'values',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'uniqueItems',
  'required',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
]);

/** Helm adds `global` to every chart's values, so the schema must allow it. */
const GLOBAL: JsonSchema = { type: 'object', description: "Helm's global values (unused by this chart)." };

export function generateValuesSchema(valuesYaml: string, chartName: string): JsonSchema {
  const doc = parseDocument(valuesYaml);
  if (doc.errors.length > 0) throw new Error(`values.yaml: ${doc.errors[0]?.message}`);
  if (!isMap(doc.contents)) throw new Error('values.yaml: the document must be a map of values');
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `Values of the ${chartName} chart`,
    type: 'object',
    additionalProperties: false,
    properties: { global: GLOBAL, ...propertiesOf(doc.contents, '') },
  };
}

function propertiesOf(map: YAMLMap, prefix: string): Record<string, JsonSchema> {
  const properties: Record<string, JsonSchema> = {};
  map.items.forEach((pair, index) => {
    if (!isScalar(pair.key)) throw new Error(`values.yaml ${prefix}: keys must be plain scalars`);
    const where = `${prefix}${String(pair.key.value)}`;
    // The `yaml` package attaches the comment above a map's first key to the map itself.
    const comment = [index === 0 ? map.commentBefore : undefined, pair.key.commentBefore]
      .filter((c) => c)
      .join('\n');
    properties[String(pair.key.value)] = valueSchema(
      pair.value as Node | null,
      readAnnotation(comment, `values.yaml ${where}`),
      where,
    );
  });
  return properties;
}

function valueSchema(node: Node | null, annotation: Annotation, where: string): JsonSchema {
  if (!annotation.description)
    throw new Error(`values.yaml ${where}: describe it in a "# --" comment above the key`);
  const keywords = new Map<string, unknown>();
  const nested: [string, string, unknown][] = [];
  for (const [key, value] of annotation.keywords) {
    const [head = '', sub] = key.split('.');
    if (!KEYWORDS.has(sub ?? head) || (sub !== undefined && head !== 'items' && head !== 'values'))
      throw new Error(`values.yaml ${where}: unknown @schema keyword "${key}"`);
    if (sub === undefined) keywords.set(head, value);
    else nested.push([head, sub, value]);
  }

  const type = keywords.get('type');
  const base = type === undefined ? inferred(node, keywords.has('items'), where) : namedType(type, where);
  const { type: baseType, ...rest } = base;
  const schema: JsonSchema = {
    ...(baseType === undefined ? {} : { type: baseType }),
    description: annotation.description,
    ...rest,
  };
  for (const [key, value] of keywords) {
    if (key === 'type') continue;
    if (key === 'items') schema.items = namedType(value, `${where} items`);
    else if (key === 'values') schema.additionalProperties = namedType(value, `${where} values`);
    else schema[key] = value;
  }
  for (const [head, sub, value] of nested) {
    const target = head === 'items' ? schema.items : schema.additionalProperties;
    if (target === null || typeof target !== 'object')
      throw new Error(`values.yaml ${where}: "${head}.${sub}" needs "${head}:<type>" before it`);
    (target as JsonSchema)[sub] = value;
  }
  return schema;
}

/** The schema of a default value: its type, and for a non-empty map its keys and no others. */
function inferred(node: Node | null, hasItems: boolean, where: string): JsonSchema {
  if (isMap(node)) {
    // An empty map ({}) is free-form: labels, selectors, affinity. `values:` narrows it.
    if (node.items.length === 0) return { type: 'object' };
    return { type: 'object', additionalProperties: false, properties: propertiesOf(node, `${where}.`) };
  }
  if (isSeq(node)) {
    const first = node.items[0];
    if (hasItems) return { type: 'array' };
    if (isScalar(first) && first.value !== null) return { type: 'array', items: scalarType(first.value) };
    throw new Error(`values.yaml ${where}: say what the list holds with "# @schema items:<type>"`);
  }
  if (isScalar(node) && node.value !== null) return scalarType(node.value);
  throw new Error(`values.yaml ${where}: the default is null; give its type with "# @schema type:<type>"`);
}

function scalarType(value: unknown): JsonSchema {
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  return { type: typeof value };
}

function namedType(name: unknown, where: string): JsonSchema {
  if (typeof name === 'string' && JSON_TYPES.has(name)) return { type: name };
  const named = typeof name === 'string' && Object.hasOwn(NAMED_TYPES, name) ? NAMED_TYPES[name] : undefined;
  if (named) return structuredClone(named);
  if (Array.isArray(name) && name.every((n) => typeof n === 'string' && JSON_TYPES.has(n)))
    return { type: name };
  throw new Error(
    `values.yaml ${where}: unknown type ${JSON.stringify(name)}; use a JSON type or one of ${Object.keys(NAMED_TYPES).join(', ')}`,
  );
}
