import { hasSpaceOrControl, isNamespaceName, isResourceName } from './names.js';

/** NATS subjects of one Stream (docs/operations.md, "NATS"). */
export interface StreamSubjects {
  /** AVPacket envelopes. */
  av: string;
  /** JSON events (input.connected, input.failover, ...). */
  events: string;
  /** JSON status snapshots. */
  status: string;
  /** Requests to the stream's ingest pod (e.g. a manual input switch). */
  control: string;
  /**
   * Media relayed by the push-listener to the stream's ingest pod: `<prefix>._push.<ns>.<stream>`
   * (underscore: a namespace may be called `push`, and no namespace starts with `_`).
   */
  push: string;
}

export type StreamChannel = 'av' | 'events' | 'status' | 'control';
const CHANNELS: readonly StreamChannel[] = ['av', 'events', 'status', 'control'];

export const DEFAULT_SUBJECT_PREFIX = 'tributary';

/** Why `prefix` cannot start our subjects, or undefined when it can (one or more dot-separated tokens). */
export function subjectPrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return 'the subject prefix is empty';
  if (hasSpaceOrControl(prefix)) return 'the subject prefix contains spaces or control characters';
  if (/[*>]/.test(prefix)) return "the subject prefix contains a wildcard ('*' or '>')";
  if (prefix.split('.').some((token) => token === ''))
    return "the subject prefix has an empty token (leading, trailing or doubled '.')";
  return undefined;
}

function checkIdentity(prefix: string, namespace: string, stream: string): void {
  const problem = subjectPrefixProblem(prefix);
  if (problem) throw new TypeError(`${problem}: ${JSON.stringify(prefix)}`);
  if (!isNamespaceName(namespace)) throw new TypeError(`not a namespace name: ${JSON.stringify(namespace)}`);
  if (!isResourceName(stream)) throw new TypeError(`not a Stream name: ${JSON.stringify(stream)}`);
}

/**
 * The subjects of Stream `<namespace>/<stream>`. Pass `undefined` as prefix for the default.
 * Throws a TypeError for a prefix or name that would not make valid, unambiguous subjects.
 */
export function subjects(prefix: string | undefined, namespace: string, stream: string): StreamSubjects {
  const p = prefix ?? DEFAULT_SUBJECT_PREFIX;
  checkIdentity(p, namespace, stream);
  const base = `${p}.${namespace}.${stream}`;
  return {
    av: `${base}.av`,
    events: `${base}.events`,
    status: `${base}.status`,
    control: `${base}.control`,
    push: `${p}._push.${namespace}.${stream}`,
  };
}

/** Subscription subject for one channel of every stream, e.g. `tributary.*.*.status` for the operator. */
export function allStreamsSubject(channel: StreamChannel, prefix: string = DEFAULT_SUBJECT_PREFIX): string {
  const problem = subjectPrefixProblem(prefix);
  if (problem) throw new TypeError(`${problem}: ${JSON.stringify(prefix)}`);
  return `${prefix}.*.*.${channel}`;
}

/** Reads `<prefix>.<ns>.<stream>.<channel>` back; undefined for any other subject. */
export function parseStreamSubject(
  subject: string,
  prefix: string = DEFAULT_SUBJECT_PREFIX,
): { namespace: string; stream: string; channel: StreamChannel } | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const tokens = subject.slice(prefix.length + 1).split('.');
  if (tokens.length !== 3) return undefined;
  const [namespace = '', stream = '', channel = ''] = tokens;
  if (!isNamespaceName(namespace) || !isResourceName(stream)) return undefined;
  if (!(CHANNELS as readonly string[]).includes(channel)) return undefined;
  return { namespace, stream, channel: channel as StreamChannel };
}

/** Route key under which a push-listener finds a Stream: `<namespace>/<name>`. */
export function routeKey(namespace: string, stream: string): string {
  return `${namespace}/${stream}`;
}

/** Reads a route key back; undefined unless it is exactly `<namespace>/<name>` with valid names. */
export function parseRouteKey(key: string): { namespace: string; stream: string } | undefined {
  const parts = key.split('/');
  if (parts.length !== 2) return undefined;
  const [namespace = '', stream = ''] = parts;
  return isNamespaceName(namespace) && isResourceName(stream) ? { namespace, stream } : undefined;
}
