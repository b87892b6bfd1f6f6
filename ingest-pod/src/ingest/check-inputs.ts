import {
  ConfigError,
  type IngestConfig,
  type IngestInput,
  parseIngestConfig,
  type StreamInput,
  type StreamSpec,
  validateStream,
} from '@tributary/crds';

/** Secret references as the Stream rules see them; the pod only knows env var names. */
const fromEnvRef = (env: string) => ({ name: 'env', key: env });

function asStreamInput(input: IngestInput): StreamInput {
  const out: StreamInput = { url: input.url, priority: input.priority };
  if (Object.keys(input.headers).length > 0) out.headers = input.headers;
  if (input.headersFromEnv.length > 0) {
    out.headersFrom = input.headersFromEnv.map((h) => ({ name: h.name, secretKeyRef: fromEnvRef(h.env) }));
  }
  if (Object.keys(input.params).length > 0) out.params = input.params;
  if (input.paramsFromEnv.length > 0) {
    out.paramsFrom = input.paramsFromEnv.map((p) => ({ name: p.name, secretKeyRef: fromEnvRef(p.env) }));
  }
  if (input.program !== undefined) out.program = input.program;
  if (input.pids !== undefined) out.pids = input.pids;
  if (input.timeoutSeconds !== undefined) out.timeoutSeconds = input.timeoutSeconds;
  if (input.insecureTLS !== undefined) out.insecureTLS = input.insecureTLS;
  if (input.publishKeyEnv !== undefined) out.publishKeySecretRef = fromEnvRef(input.publishKeyEnv);
  return out;
}

export type CheckedInputs = { ok: true; inputs: IngestInput[] } | { ok: false; message: string };
export type CheckedLiveConfig =
  | { ok: true; inputs: IngestInput[]; failover: IngestConfig['failover'] }
  | { ok: false; message: string };

/**
 * Checks an edited input list with the rules the Stream and the pod config follow: the config
 * schema (fields in the pod's form: `headersFromEnv` and the like), then the Stream rules (URL
 * grammar, unique URLs, header names, TS-only options). Priorities are set to list positions.
 */
export function checkInputs(config: IngestConfig, inputs: readonly unknown[]): CheckedInputs {
  const checked = checkLiveConfig(config, inputs, config.failover);
  return checked.ok ? { ok: true, inputs: checked.inputs } : checked;
}

/** `checkInputs`, plus failover settings in the pod config's form (`packetTimeoutMs` and the like). */
export function checkLiveConfig(
  config: IngestConfig,
  inputs: readonly unknown[],
  failover: unknown,
): CheckedLiveConfig {
  const numbered = inputs.map((input, priority) => ({ ...(input as object), priority }));
  const parsed = parseIngestConfig(
    JSON.stringify({
      stream: config.stream,
      inputs: numbered,
      failover,
      subjectPrefix: config.subjectPrefix,
    }),
  );
  if (parsed instanceof ConfigError) return { ok: false, message: parsed.message };
  const problems = validateStream({ inputs: parsed.inputs.map(asStreamInput) } as StreamSpec, {
    name: config.stream.name,
  });
  if (problems.length > 0) {
    const text = problems.map((p) => `${p.field.replace(/^spec\./, '')}: ${p.message}`).join('; ');
    return { ok: false, message: `invalid inputs: ${text}` };
  }
  return { ok: true, inputs: parsed.inputs, failover: parsed.failover };
}
