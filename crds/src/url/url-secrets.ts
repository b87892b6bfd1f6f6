import { isSecretParam } from './redact.js';
import { queryParams, splitUrl } from './split.js';
import { streamIdSecrets } from './streamid-secrets.js';

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The credentials written in a URL, as values, for redaction by value: the userinfo password (the
 * whole userinfo when it has no colon, except udp's interface), the values of secret-looking
 * query parameters and the credentials inside an SRT streamid. Both the written and the decoded
 * form of each are listed.
 */
export function urlSecrets(url: string): string[] {
  const parts = splitUrl(url);
  if (typeof parts === 'string') return [];
  const found: string[] = [];
  const add = (raw: string) => {
    if (raw === '') return;
    found.push(raw);
    const plain = decoded(raw);
    if (plain !== raw) found.push(plain);
  };
  if (parts.userinfo !== undefined) {
    const colon = parts.userinfo.indexOf(':');
    if (colon >= 0) add(parts.userinfo.slice(colon + 1));
    else if (parts.scheme !== 'udp') add(parts.userinfo);
  }
  // An SRT streamid may start with '#': the "fragment" belongs to the query there.
  const query =
    parts.scheme === 'srt' && parts.query !== undefined && parts.fragment !== undefined
      ? `${parts.query}#${parts.fragment}`
      : parts.query;
  for (const [name, value] of queryParams(query)) {
    if (isSecretParam(name)) found.push(value);
    else if (name.toLowerCase() === 'streamid') found.push(...streamIdSecrets(value));
  }
  return found.filter((value) => value !== '');
}
