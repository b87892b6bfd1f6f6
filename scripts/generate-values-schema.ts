// Writes charts/tributary/values.schema.json from the annotated values.yaml:
//   node --import tsx scripts/generate-values-schema.ts [output file]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { generateValuesSchema } from './values-schema/generate.js';
import { formatJson } from './values-schema/json-schema.js';

const chart = join(dirname(fileURLToPath(import.meta.url)), '..', 'charts', 'tributary');
const { name } = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { name: string };
const schema = generateValuesSchema(readFileSync(join(chart, 'values.yaml'), 'utf8'), name);
const target = process.argv[2] ?? join(chart, 'values.schema.json');
writeFileSync(target, `${formatJson(schema)}\n`);
console.log(`wrote ${target}`);
