// The pod checks its config against the generated JSON form of IngestConfigSchema with TypeBox's
// schema engine alone, so its bundle carries neither the type builders nor the value module.
import Schema, { type XSchema } from 'typebox/schema';
import schemaJson from './generated/ingest-config.schema.json' with { type: 'json' };
import type { ParsedIngestConfig } from './ingest-config-schema.js';
import { isNamespaceName, isResourceName } from './names.js';
import { DEFAULT_SUBJECT_PREFIX, subjectPrefixProblem } from './subjects.js';

/** Env var of the ingest pod that holds the IngestConfig JSON. */
export const INGEST_CONFIG_ENV = 'TRIBUTARY_STREAM';
/**
 * Set (to the pod's own name) on a pod that replaces a running one: it connects and waits, with its
 * inputs closed, until the operator sends `release` addressed to it once the old pod is gone.
 */
export const INGEST_STANDBY_ENV = 'TRIBUTARY_STANDBY';

type Parsed = ParsedIngestConfig;
type ParsedInput = Parsed['inputs'][number];

/** One input as the pod sees it: optional collections filled in. */
export type IngestInput = ParsedInput & {
  headers: Record<string, string>;
  headersFromEnv: { name: string; env: string }[];
  params: Record<string, string>;
  paramsFromEnv: { name: string; env: string }[];
};

export interface IngestConfig {
  stream: Parsed['stream'];
  inputs: IngestInput[];
  failover: NonNullable<Parsed['failover']>;
  subjectPrefix: string;
  pushListenerKey?: string;
}

export interface ConfigProblem {
  /** Dotted path of the field, e.g. `inputs[1].priority`; '' for the document itself. */
  field: string;
  message: string;
}

/** A config that cannot be used, with every problem found. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(
      `invalid ingest config: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `/inputs/1/priority` -> `inputs[1].priority` */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce(
      (path, token) => (/^[0-9]+$/.test(token) ? `${path}[${token}]` : path ? `${path}.${token}` : token),
      '',
    );
}

function schemaProblems(value: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const [, errors] = Schema.Errors(schemaJson as XSchema, value);
  for (const error of errors) {
    if (error.keyword === 'boolean') continue; // restates an additionalProperties error
    const field = fieldOf(error.instancePath);
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const name of extra)
        problems.push({ field: field ? `${field}.${name}` : name, message: 'unknown field' });
      continue;
    }
    if (error.keyword === 'required') {
      const missing = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      for (const name of missing)
        problems.push({ field: field ? `${field}.${name}` : name, message: 'required' });
      continue;
    }
    problems.push({ field, message: error.message });
  }
  return problems;
}

function semanticProblems(config: Parsed): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isNamespaceName(config.stream.namespace)) {
    problems.push({ field: 'stream.namespace', message: 'must be a Kubernetes namespace name' });
  }
  if (!isResourceName(config.stream.name)) {
    problems.push({ field: 'stream.name', message: 'must be a DNS-1035 label of at most 52 characters' });
  }
  config.inputs.forEach((input, index) => {
    if (input.priority !== index) {
      problems.push({
        field: `inputs[${index}].priority`,
        message: `must equal the input's index (${index})`,
      });
    }
  });
  const prefixProblem =
    config.subjectPrefix === undefined ? undefined : subjectPrefixProblem(config.subjectPrefix);
  if (prefixProblem) problems.push({ field: 'subjectPrefix', message: prefixProblem });
  return problems;
}

/** Parses and checks the pod config JSON; a ConfigError names every bad field. */
export function parseIngestConfig(json: string): IngestConfig | ConfigError {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return new ConfigError([{ field: '', message: `not JSON: ${(error as Error).message}` }]);
  }
  const problems = schemaProblems(value);
  if (problems.length > 0) return new ConfigError(problems);
  const parsed = value as Parsed;
  const semantic = semanticProblems(parsed);
  if (semantic.length > 0) return new ConfigError(semantic);
  return {
    stream: parsed.stream,
    inputs: parsed.inputs.map((input) => ({
      ...input,
      headers: input.headers ?? {},
      headersFromEnv: input.headersFromEnv ?? [],
      params: input.params ?? {},
      paramsFromEnv: input.paramsFromEnv ?? [],
    })),
    failover: parsed.failover ?? {},
    subjectPrefix: parsed.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX,
    ...(parsed.pushListenerKey !== undefined && { pushListenerKey: parsed.pushListenerKey }),
  };
}
