// Who may say what on NATS: the subject permissions of each identity the operator mints a
// credential for. nats-server enforces them, so a message on a subject is from whoever the subject
// names. Each identity also gets its own reply-inbox prefix, so nobody can read another's replies.
import { type CopySource, copySubjects } from './copy-source.js';
import { isNamespaceName } from './names.js';
import { registryBuckets, registryKvKey } from './push-registry.js';
import { subjectPrefixProblem, subjects } from './subjects.js';

export interface SubjectPermissions {
  /** Subjects the identity may publish to (wildcards allowed). */
  publish: string[];
  /** Subjects it may subscribe to. */
  subscribe: string[];
  /** May answer requests (one reply each) on reply subjects it has no publish permission for. */
  respond?: boolean;
  /** The prefix its client must use for reply inboxes (NATS option `inboxPrefix`). */
  inboxPrefix: string;
}

export type NatsIdentity =
  /** `copyFrom`: what the Stream's copy:// inputs read (see copySourceOf), in its namespace. */
  | { kind: 'stream'; namespace: string; stream: string; copyFrom?: readonly CopySource[] }
  | { kind: 'operator' }
  | { kind: 'push-listener' }
  | { kind: 'reader'; namespace: string }
  /** `namespaces`: whose Streams it buffers; empty: every namespace. */
  | { kind: 'buffer'; namespaces: readonly string[] };

/** Reply inboxes: `_INBOX.<ns>.<stream>` for a Stream's pod; `_INBOX._<role>` for the rest (no namespace starts with `_`). */
export function natsInboxPrefix(identity: NatsIdentity): string {
  switch (identity.kind) {
    case 'stream':
      return `_INBOX.${identity.namespace}.${identity.stream}`;
    case 'reader':
      return `_INBOX._reader.${identity.namespace}`;
    default:
      return `_INBOX._${identity.kind}`;
  }
}

/** JetStream API subjects that read or bind a KV bucket, without changing or deleting it. */
function bucketReadApi(bucket: string): string[] {
  const stream = `KV_${bucket}`;
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
  ];
}

/** Creating a bucket is allowed to everyone who uses it: whoever comes first creates it, with the same settings. */
const bucketCreateApi = (bucket: string) => `$JS.API.STREAM.CREATE.KV_${bucket}`;

/** Watching a bucket: an ordered consumer, created, inspected and deleted by its owner. */
function bucketWatchApi(bucket: string): string[] {
  const stream = `KV_${bucket}`;
  return [
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

function checkPrefix(prefix: string): void {
  const problem = subjectPrefixProblem(prefix);
  if (problem) throw new TypeError(`${problem}: ${JSON.stringify(prefix)}`);
}

/** Exactly the subjects of the copied Streams, each once, in a stable order (the grant is hashed). */
function copyReads(prefix: string, namespace: string, sources: readonly CopySource[] = []): string[] {
  const reads = new Set<string>();
  for (const source of sources) {
    const { av, events } = copySubjects(prefix, namespace, source);
    reads.add(av).add(events);
  }
  return [...reads].sort();
}

/**
 * What each identity may do:
 * - a Stream's ingest pod publishes only its own `.av/.events/.status`, hears only its `.control`
 *   and `_push` subjects (plus the `.av` and `.events` of the Streams its copy:// inputs read),
 *   and writes only its own route in the push registry;
 * - the operator is the only publisher of `.control`, and hears every `.status`; it deletes
 *   deleted Streams' routes and marks;
 * - the push-listener relays on `_push`, reads routes and owns active marks;
 * - a reader (a buffer pod or `tributary tail`) hears one namespace's `.av/.events/.status`;
 * - the chart's buffer hears the `.av/.events/.status` of its namespaces (or of every namespace).
 */
export function natsPermissions(prefix: string, identity: NatsIdentity): SubjectPermissions {
  checkPrefix(prefix);
  const buckets = registryBuckets(prefix);
  const inboxPrefix = natsInboxPrefix(identity);
  const inbox = `${inboxPrefix}.>`;
  const jsInfo = '$JS.API.INFO';
  switch (identity.kind) {
    case 'stream': {
      const own = subjects(prefix, identity.namespace, identity.stream);
      const key = registryKvKey(identity.namespace, identity.stream);
      return {
        publish: [
          own.av,
          own.events,
          own.status,
          jsInfo,
          ...[buckets.routes, buckets.active].flatMap((b) => [bucketCreateApi(b), ...bucketReadApi(b)]),
          // Its own route, and its own active mark (unregistering removes both).
          `$KV.${buckets.routes}.${key}`,
          `$KV.${buckets.active}.${key}`,
        ],
        subscribe: [
          own.control,
          own.push,
          ...copyReads(prefix, identity.namespace, identity.copyFrom),
          inbox,
        ],
        respond: true,
        inboxPrefix,
      };
    }
    case 'operator':
      return {
        publish: [
          `${prefix}.*.*.control`,
          jsInfo,
          ...[buckets.routes, buckets.active].flatMap((b) => [...bucketReadApi(b), `$KV.${b}.>`]),
        ],
        subscribe: [`${prefix}.*.*.status`, inbox],
        inboxPrefix,
      };
    case 'push-listener':
      return {
        publish: [
          `${prefix}._push.>`,
          jsInfo,
          ...[buckets.routes, buckets.active].flatMap((b) => [
            bucketCreateApi(b),
            ...bucketReadApi(b),
            ...bucketWatchApi(b),
          ]),
          `$KV.${buckets.active}.>`,
        ],
        subscribe: [inbox],
        inboxPrefix,
      };
    case 'reader':
      if (!isNamespaceName(identity.namespace))
        throw new TypeError(`not a namespace name: ${JSON.stringify(identity.namespace)}`);
      return {
        publish: [],
        subscribe: ['av', 'events', 'status'].map(
          (channel) => `${prefix}.${identity.namespace}.*.${channel}`,
        ),
        inboxPrefix,
      };
    case 'buffer': {
      for (const namespace of identity.namespaces)
        if (!isNamespaceName(namespace))
          throw new TypeError(`not a namespace name: ${JSON.stringify(namespace)}`);
      const namespaces = identity.namespaces.length === 0 ? ['*'] : [...new Set(identity.namespaces)].sort();
      return {
        publish: [],
        subscribe: namespaces.flatMap((namespace) =>
          ['av', 'events', 'status'].map((channel) => `${prefix}.${namespace}.*.${channel}`),
        ),
        inboxPrefix,
      };
    }
  }
}
