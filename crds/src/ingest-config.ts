import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { ENV_NAME_PATTERN, isNamespaceName, isResourceName } from './names.js';
import { DEFAULT_SUBJECT_PREFIX, subjectPrefixProblem } from './subjects.js';

/** Env var of the ingest pod that holds the IngestConfig JSON. */
export const INGEST_CONFIG_ENV = 'TRIBUTARY_STREAM';
/**
 * Set (to the pod's own name) on a pod that replaces a running one: it connects and waits, with its
 * inputs closed, until the operator sends `release` addressed to it once the old pod is gone.
 */
export const INGEST_STANDBY_ENV = 'TRIBUTARY_STANDBY';

const envName = Type.String({ pattern: ENV_NAME_PATTERN });
const fromEnv = Type.Array(
  Type.Object({ name: Type.String({ minLength: 1 }), env: envName }, { additionalProperties: false }),
);
const stringMap = Type.Record(Type.String(), Type.String());
const positiveMs = Type.Optional(Type.Number({ exclusiveMinimum: 0 }));

/**
 * What the operator hands an ingest pod (and what `tributary ingest --config` reads). Secret values
 * never appear in it: `*FromEnv` and `publishKeyEnv` name env vars the pod spec fills from Secrets.
 */
export const IngestConfigSchema = Type.Object(
  {
    stream: Type.Object(
      {
        namespace: Type.String(),
        name: Type.String(),
        uid: Type.String(),
        generation: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    inputs: Type.Array(
      Type.Object(
        {
          url: Type.String({ minLength: 1 }),
          priority: Type.Integer({ minimum: 0 }),
          headers: Type.Optional(stringMap),
          headersFromEnv: Type.Optional(fromEnv),
          params: Type.Optional(stringMap),
          paramsFromEnv: Type.Optional(fromEnv),
          program: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
          pids: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 8191 }))),
          timeoutSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
          insecureTLS: Type.Optional(Type.Boolean()),
          sendHeadersToAllHosts: Type.Optional(Type.Boolean()),
          publishKeyEnv: Type.Optional(envName),
          /** copy:// only: the upstream's ladder rung to read (the operator chooses it). */
          copyRung: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 32 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 8 },
    ),
    failover: Type.Optional(
      Type.Object(
        {
          packetTimeoutMs: positiveMs,
          probeAfterMs: positiveMs,
          probeTimeoutMs: positiveMs,
          failbackHoldDownMs: positiveMs,
        },
        { additionalProperties: false },
      ),
    ),
    subjectPrefix: Type.Optional(Type.String()),
    /**
     * The push-listener's sealing key (EC P-256 public key, SPKI DER in base64): a pod with a push
     * input seals its SRT passphrase to it in the route it registers, so no secret crosses NATS in
     * clear. Absent: SRT publishing to this stream is refused (RTMP works; its key is only hashed).
     */
    pushListenerKey: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

type Parsed = Static<typeof IngestConfigSchema>;
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
  for (const error of Value.Errors(IngestConfigSchema, value)) {
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
