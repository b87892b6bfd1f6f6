// Writes the generated CRDs, the Stream reference and the ingest config's JSON Schema: node --import tsx crds/src/generate.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './crd/files.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
for (const file of generatedFiles()) {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
  console.log(`wrote ${file.path}`);
}
