import { type IngestInput, isSecretParam, urlSecrets } from '@tributary/crds';
import { type Env, mergeQuery, resolvedParams } from './resolve-input.js';

const CREDENTIAL_HEADERS = new Set(['cookie', 'proxy-authorization']);

/** `Bearer abc` → `abc` as well: the token alone is what a library error would echo. */
function withToken(value: string): string[] {
  const space = value.lastIndexOf(' ');
  return space < 0 ? [value] : [value, value.slice(space + 1)];
}

/**
 * Every secret value one input resolves to: what comes from Secrets (headers, params, publish
 * key), credential-looking inline headers and params, and the credentials written in the URL
 * (userinfo, secret query values, SRT streamid credentials), params merged in.
 */
export function secretValuesOf(input: IngestInput, env: Env): string[] {
  const values: string[] = [];
  for (const { env: variable } of [...input.headersFromEnv, ...input.paramsFromEnv]) {
    const value = env[variable];
    if (value !== undefined) values.push(...withToken(value));
  }
  if (input.publishKeyEnv !== undefined) {
    const key = env[input.publishKeyEnv];
    if (key !== undefined) values.push(key);
  }
  for (const [name, value] of Object.entries(input.headers)) {
    if (isSecretParam(name) || CREDENTIAL_HEADERS.has(name.toLowerCase())) values.push(...withToken(value));
  }
  values.push(...urlSecrets(mergeQuery(input.url, resolvedParams(input, env))));
  return values;
}
