import { createHash } from 'node:crypto';
import { classify, type IngestInput, redactUrl } from '@tributary/crds';
import type { InputProtocol } from '../failover/types.js';
import type { SecretRedactor } from '../observability/secret-redactor.js';
import type { ReaderInput } from '../reader/reader-api.js';
import { secretValuesOf } from './input-secrets.js';

/** Where secret values come from: the pod's environment (the operator fills it from Secrets). */
export type Env = Readonly<Record<string, string | undefined>>;

/** One configured input, ready for a reader, with everything the failover machine needs. */
export interface ResolvedInput {
  /** What a reader is built from: secrets resolved, params merged into the URL query. */
  reader: ReaderInput;
  /** Picks the failover timings; inputs whose URL does not classify get the udp defaults. */
  protocol: InputProtocol;
  /** Identity of everything the reader is built from, secret values included (hashed, never shown). */
  configHash: string;
  /** The URL as it may be shown: secrets redacted. */
  shownUrl: string;
  /** Why no reader can be opened for this input; reported as the input's error. */
  unusable?: string;
  /** Encoders publish this input to the push-listener. */
  push?: boolean;
}

/** The URL with `params` merged into its query, replacing parameters of the same name. */
export function mergeQuery(url: string, params: Readonly<Record<string, string>>): string {
  const names = Object.keys(params);
  if (names.length === 0) return url;
  const at = url.indexOf('?');
  const base = at < 0 ? url : url.slice(0, at);
  const nameOf = (pair: string) => {
    const raw = pair.split('=')[0] ?? '';
    try {
      return decodeURIComponent(raw.replaceAll('+', ' '));
    } catch {
      return raw;
    }
  };
  const kept = at < 0 ? [] : url.slice(at + 1).split('&');
  const pairs = kept.filter((pair) => pair !== '' && !names.includes(nameOf(pair)));
  for (const name of names) {
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(params[name] ?? '')}`);
  }
  return `${base}?${pairs.join('&')}`;
}

/** Values of `*FromEnv` entries; names of env vars that are not set are collected in `missing`. */
function fromEnv(entries: readonly { name: string; env: string }[], env: Env, missing: string[]) {
  const values: Record<string, string> = {};
  for (const { name, env: variable } of entries) {
    const value = env[variable];
    if (value === undefined) missing.push(variable);
    else values[name] = value;
  }
  return values;
}

/** The input's params with `paramsFromEnv` filled in; env vars that are not set go to `missing`. */
export function resolvedParams(input: IngestInput, env: Env, missing: string[] = []): Record<string, string> {
  return { ...input.params, ...fromEnv(input.paramsFromEnv, env, missing) };
}

function hashOf(reader: ReaderInput, unusable: string | undefined): string {
  const headers = Object.entries(reader.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const identity = [
    reader.url,
    headers,
    Object.entries(reader.params ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
    reader.program ?? null,
    reader.pids ?? null,
    reader.timeoutSeconds ?? 0,
    reader.insecureTLS ?? false,
    reader.sendHeadersToAllHosts ?? false,
    unusable ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/**
 * Builds the reader input of one configured input. An input whose secret env var is missing
 * (for a push input, also its publish key) cannot be opened; it is marked `unusable` instead of
 * failing, so the other inputs still run. Its secret values are registered with `secrets`, which
 * masks them in everything the pod logs and publishes.
 */
export function resolveInput(
  input: IngestInput,
  priority: number,
  env: Env,
  secrets?: SecretRedactor,
): ResolvedInput {
  secrets?.register(...secretValuesOf(input, env));
  const missing: string[] = [];
  const params = resolvedParams(input, env, missing);
  const headers = { ...input.headers, ...fromEnv(input.headersFromEnv, env, missing) };
  const classified = classify(input.url);
  const push = classified.ok && classified.mode === 'push';
  // A push URL stays bare (publish:// takes no query); its params (the SRT passphrase) are what
  // the route registration seals for the push-listener.
  const reader: ReaderInput = { url: push ? input.url : mergeQuery(input.url, params), priority };
  if (push && Object.keys(params).length > 0) reader.params = params;
  if (Object.keys(headers).length > 0) reader.headers = headers;
  if (input.program !== undefined) reader.program = input.program;
  if (input.pids !== undefined && input.pids.length > 0) reader.pids = input.pids;
  if (input.timeoutSeconds !== undefined) reader.timeoutSeconds = input.timeoutSeconds;
  if (input.insecureTLS !== undefined) reader.insecureTLS = input.insecureTLS;
  if (input.sendHeadersToAllHosts !== undefined) reader.sendHeadersToAllHosts = input.sendHeadersToAllHosts;
  if (input.copyRung !== undefined) reader.copyRung = input.copyRung;

  const shownUrl = redactUrl(input.url);
  let unusable: string | undefined;
  if (push && input.publishKeyEnv === undefined) {
    unusable = `push input ${shownUrl} has no publish key (publishKeyEnv): the push-listener could not admit anyone`;
  } else if (push && env[input.publishKeyEnv!] === undefined) {
    unusable = `publish key env var ${input.publishKeyEnv} is not set: the stream cannot be registered with the push-listener`;
  } else if (missing.length > 0) {
    unusable = `secret env var ${missing.join(', ')} is not set`;
  }
  const resolved: ResolvedInput = {
    reader,
    protocol: classified.ok ? classified.kind : 'udp',
    configHash: hashOf(reader, unusable),
    shownUrl,
  };
  if (unusable !== undefined) resolved.unusable = unusable;
  if (push) resolved.push = true;
  return resolved;
}
