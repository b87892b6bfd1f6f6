/** `#!::` keys that name things rather than prove anything: resource, mode, host, user. */
const SHOWN_KEYS = new Set(['r', 'm', 'h', 'u']);
/** The standard values of the `t` (type) key; any other `t` value is taken for a token. */
const SHOWN_TYPES = new Set(['stream', 'file', 'auth']);

/** One credential inside an SRT streamid: where it sits, so it can be masked in place. */
interface SecretSpan {
  start: number;
  end: number;
}

function secretSpans(streamId: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  if (streamId.startsWith('#!::')) {
    let at = 4;
    for (const pair of streamId.slice(4).split(',')) {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? '' : pair.slice(0, eq).trim();
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      const shown = SHOWN_KEYS.has(key) || (key === 't' && SHOWN_TYPES.has(value.trim()));
      if (eq >= 0 && !shown && value !== '') spans.push({ start: at + eq + 1, end: at + pair.length });
      at += pair.length + 1;
    }
    return spans;
  }
  // `publish:<resource>:<user>:<pass>` (MediaMTX): everything after the user is the password.
  for (const mode of ['publish:', 'read:']) {
    if (!streamId.startsWith(mode)) continue;
    const fields = streamId.slice(mode.length).split(':');
    if (fields.length < 3) return spans;
    const start = mode.length + (fields[0]?.length ?? 0) + (fields[1]?.length ?? 0) + 2;
    if (start < streamId.length) spans.push({ start, end: streamId.length });
  }
  return spans;
}

/**
 * The credentials inside an SRT streamid: in `#!::` form the value of every key other than
 * r, m, h and u (and t when it is stream, file or auth); in `publish:`/`read:` form the password
 * after `<resource>:<user>:`. A plain streamid has no structure to find a credential in.
 */
export function streamIdSecrets(streamId: string): string[] {
  return secretSpans(streamId).map(({ start, end }) => streamId.slice(start, end));
}

/** The streamid with every credential `streamIdSecrets` finds replaced by `mask`. */
export function redactStreamId(streamId: string, mask: string): string {
  let out = '';
  let from = 0;
  for (const { start, end } of secretSpans(streamId)) {
    out += streamId.slice(from, start) + mask;
    from = end;
  }
  return out + streamId.slice(from);
}
