// The push Registry: routes written by ingest pods, active
// marks taken by push-listener replicas, both in NATS KV so every replica sees the same state.

/** `<namespace>/<stream>` (crds' routeKey). */
export type RouteKey = string;

/** How the listener checks an RTMP publisher's key without knowing it: scrypt of the key. */
export interface PublishKeyHash {
  /** base64 */
  salt: string;
  /** base64 scrypt(key, salt) */
  hash: string;
  /** scrypt cost parameter N (r = 8, p = 1, 32-byte output). */
  cost: number;
}

/** A route as an ingest pod registers it. Holds no secret in clear. */
export interface RouteEntry {
  v: 1;
  namespace: string;
  stream: string;
  /** The Stream's uid: a route of a deleted and re-created Stream is a different route. */
  uid: string;
  /** Hash of the Stream's publish key (publishKeySecretRef). */
  publishKey: PublishKeyHash;
  /**
   * SRT settings; `sealed` is the SRT passphrase sealed to the push-listener's public key
   * (see seal.ts). Absent: SRT publishing to this stream is refused with 1403.
   */
  srt?: { sealed: string; pbkeylen?: 16 | 24 | 32; latencyMs?: number };
  /** Who registered it (the ingest pod's name), for people reading the bucket. */
  owner: string;
  registeredAt: string;
}

/** The active mark of a route: held by the listener replica that accepted its publisher. */
export interface ActiveMark {
  replica: string;
  protocol: 'rtmp' | 'srt';
  /** `ip:port` of the encoder. */
  peer: string;
  /** The relay session id the publisher's media carries. */
  session: number;
  since: string;
}

export type RegistryErrorCode =
  /** seed: "no stream registered for key" */
  | 'not-registered'
  /** seed: ErrStreamAlreadyActive, "stream already has an active pusher" */
  | 'already-active'
  /** NATS or JetStream failed; retriable */
  | 'unavailable';

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

/** An acquired active mark, kept alive by heartbeats until released or lost. */
export interface Lease {
  readonly key: RouteKey;
  readonly route: RouteEntry;
  /** Called once if the mark could not be renewed (taken over after expiry, deleted, NATS gone too long). */
  onLost: (reason: string) => void;
  /** Deletes the mark if it is still ours and stops the heartbeats. Idempotent. */
  release(): Promise<void>;
}

/** What a listener replica knows of the registry right now, kept current by KV watches. */
export interface RegistryMirror {
  route(key: RouteKey): RouteEntry | undefined;
  /** Every route, for building the SRT access table. */
  routes(): ReadonlyMap<RouteKey, RouteEntry>;
  /** The mark, if one is held and younger than the mark TTL (stale marks count as absent). */
  active(key: RouteKey): ActiveMark | undefined;
  /** Called after any route or mark changed (coalesced); `removed` lists routes that disappeared. */
  onChange: (removed: readonly RouteKey[]) => void;
  close(): void;
}

export interface Registry {
  /** Insert or overwrite a route. An active mark is left alone, so the publisher stays. */
  register(route: RouteEntry): Promise<void>;
  /** Throws RegistryError 'not-registered'. */
  lookup(key: RouteKey): Promise<RouteEntry>;
  /** Atomic create of the active mark; throws RegistryError 'not-registered' or 'already-active'. */
  acquire(key: RouteKey, mark: ActiveMark): Promise<Lease>;
  /** Deletes the mark held by `lease` (same as lease.release()). */
  release(lease: Lease): Promise<void>;
  /** Deletes the route and its active mark. With `uid`, only if the route still belongs to that Stream. */
  unregister(key: RouteKey, options?: { uid?: string }): Promise<void>;
  /** Starts watching routes and marks (listener replicas). Resolves once the initial state is loaded. */
  mirror(): Promise<RegistryMirror>;
  close(): Promise<void>;
}
