import { type IngestConfig, type IngestInput, redactUrl } from '@tributary/crds';
import { parseControlRequest } from '../failover/control-protocol.js';
import type { ControlReply, FailoverOverrides } from '../failover/types.js';
import { checkLiveConfig } from './check-inputs.js';

/** What a live configuration changed. */
export interface LiveChange {
  inputs: boolean;
  failover: boolean;
}

/** What control requests act on: the input manager. */
export interface ControlTarget {
  switchTo(priority: number): ControlReply;
  configure(inputs: readonly IngestInput[], failover: FailoverOverrides): LiveChange;
}

/** The env vars that hold the pod's secrets, as named in the configuration it started with. */
export function secretEnvNames(config: IngestConfig): Set<string> {
  const names = new Set<string>();
  for (const input of config.inputs) {
    for (const ref of [...input.headersFromEnv, ...input.paramsFromEnv]) names.add(ref.env);
    if (input.publishKeyEnv !== undefined) names.add(input.publishKeyEnv);
  }
  return names;
}

/** The env names an (unchecked) input refers to, with where. */
function envRefs(input: unknown): { field: string; env: unknown }[] {
  if (typeof input !== 'object' || input === null) return [];
  const record = input as Record<string, unknown>;
  const refs: { field: string; env: unknown }[] = [];
  for (const field of ['headersFromEnv', 'paramsFromEnv'] as const) {
    const list = record[field];
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      if (typeof entry === 'object' && entry !== null && 'env' in entry)
        refs.push({ field: `${field}[${i}].env`, env: (entry as { env: unknown }).env });
    });
  }
  if (record.publishKeyEnv !== undefined) refs.push({ field: 'publishKeyEnv', env: record.publishKeyEnv });
  return refs;
}

/**
 * Answers requests on the control subject: a manual switch goes to the failover machine; a
 * `configure` (the Stream spec, relayed by the operator) is checked with the Stream's rules and
 * handed over whole. Inputs may only name the secret env vars the pod was started with, so no
 * request can send another env var's value anywhere.
 */
export class ControlHandler {
  readonly #config: IngestConfig;
  readonly #target: ControlTarget;
  readonly #secretEnv: ReadonlySet<string>;
  readonly #release: () => ControlReply;
  #generation: number;

  /** `release` starts a standby pod publishing (see controlAudience for who answers what). */
  constructor(config: IngestConfig, target: ControlTarget, release: () => ControlReply) {
    this.#config = config;
    this.#target = target;
    this.#release = release;
    this.#secretEnv = secretEnvNames(config);
    this.#generation = config.stream.generation;
  }

  /** The Stream generation whose live configuration the pod runs. */
  get configGeneration(): number {
    return this.#generation;
  }

  handle(data: unknown): ControlReply {
    const request = parseControlRequest(data);
    if ('ok' in request) return request;
    if (request.op === 'switch') return this.#target.switchTo(request.priority);
    if (request.op === 'release') return this.#release();
    const { generation, inputs, failover } = request;
    if (generation < this.#generation) {
      return {
        ok: false,
        error: 'stale_generation',
        message: `generation ${generation} is older than the running generation ${this.#generation}; nothing changed`,
      };
    }
    const unknownEnv = this.#unknownEnv(inputs);
    if (unknownEnv !== undefined) return { ok: false, error: 'invalid_request', message: unknownEnv };
    const checked = checkLiveConfig(this.#config, inputs, failover);
    if (!checked.ok) return { ok: false, error: 'invalid_request', message: checked.message };
    const change = this.#target.configure(checked.inputs, checked.failover);
    this.#generation = generation;
    const what = [change.inputs && 'inputs', change.failover && 'failover settings'].filter(Boolean);
    const done = what.length > 0 ? `${what.join(' and ')} changed` : 'nothing changed';
    return {
      ok: true,
      message: `generation ${generation} applied: ${done}; ${checked.inputs.length} inputs`,
    };
  }

  #unknownEnv(inputs: readonly unknown[]): string | undefined {
    for (const [index, input] of inputs.entries()) {
      for (const { field, env } of envRefs(input)) {
        if (typeof env === 'string' && this.#secretEnv.has(env)) continue;
        const url = (input as { url?: unknown }).url;
        const which = typeof url === 'string' ? `inputs[${index}] (${redactUrl(url)})` : `inputs[${index}]`;
        return `${which}.${field}: env ${JSON.stringify(env)} is not a secret env var this pod was started with; secrets reach the pod only through its spec (headersFrom, paramsFrom, publishKeySecretRef)`;
      }
    }
    return undefined;
  }
}
