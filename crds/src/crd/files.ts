import { stringify } from 'yaml';
import { IngestConfigSchema } from '../ingest-config-schema.js';
import { streamCrd, vodMountCrd } from './build.js';
import { renderReference } from './reference.js';

export interface GeneratedFile {
  /** Path relative to the repository root. */
  path: string;
  content: string;
}

const HEADER =
  '# Generated from crds/src by `npm run generate -w crds`. Do not edit; change the schema and regenerate.\n';

/** Every file the generator writes, with its exact content. Pure: writing is generate.ts's job. */
export function generatedFiles(): GeneratedFile[] {
  const yaml = (crd: object) => HEADER + stringify(crd, { lineWidth: 0 });
  const crds = [
    { name: 'streams.tributary.io.yaml', content: yaml(streamCrd()) },
    { name: 'vodmounts.tributary.io.yaml', content: yaml(vodMountCrd()) },
  ];
  return [
    ...crds.map(({ name, content }) => ({ path: `crds/generated/${name}`, content })),
    // The chart installs its own copy (Helm reads files only from inside the chart).
    ...crds.map(({ name, content }) => ({ path: `charts/tributary/files/crds/${name}`, content })),
    { path: 'docs/stream-reference.md', content: renderReference() },
    // What the ingest pod validates its config with (see ingest-config.ts).
    {
      path: 'crds/src/generated/ingest-config.schema.json',
      content: `${JSON.stringify(IngestConfigSchema, null, 2)}\n`,
    },
  ];
}
