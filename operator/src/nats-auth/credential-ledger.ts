// Which user keys the operator has issued into which credential Secret, and which it has revoked.
// nats-server refuses a revoked key only while the account JWT lists it, so the list is what makes
// a copied `.creds` file worthless once its Stream is gone; it stays bounded because a revoked key
// is dropped once the JWT it belonged to has expired anyway.

/** One user key issued into a Secret; `expires` in epoch seconds (absent: issued before expiry existed). */
export interface IssuedUser {
  user: string;
  expires?: number | undefined;
  /** Epoch seconds: replaced by a new grant for the same owner, revoked once this has passed. */
  revokeAfter?: number | undefined;
}

/** The keys of one credential Secret that may still be valid. */
export interface IssuedSecret {
  /** For a Stream's Secret: the Stream's name and uid, so a Stream deleted while no operator ran is found. */
  stream?: string | undefined;
  owner?: string | undefined;
  users: IssuedUser[];
}

export interface Revocation {
  /** Epoch seconds: nats-server refuses every JWT of the key issued at or before it. */
  at: number;
  expires?: number | undefined;
}

export interface CredentialLedger {
  /** `<namespace>/<secret>` -> its keys. */
  issued: Record<string, IssuedSecret>;
  /** user public key -> its revocation. */
  revoked: Record<string, Revocation>;
}

export function emptyLedger(): CredentialLedger {
  return { issued: {}, revoked: {} };
}

/** The ledger stored as JSON; a malformed one is an error naming what is wrong. */
export function parseLedger(text: string | undefined): CredentialLedger {
  if (text === undefined || text === '') return emptyLedger();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`the credential ledger is not JSON (${(error as Error).message})`);
  }
  const ledger = value as Partial<CredentialLedger> | null;
  if (!ledger || typeof ledger.issued !== 'object' || typeof ledger.revoked !== 'object')
    throw new Error('the credential ledger needs the objects "issued" and "revoked"');
  return { issued: ledger.issued ?? {}, revoked: ledger.revoked ?? {} };
}

function revokeUsers(ledger: CredentialLedger, users: IssuedUser[], nowSec: number): void {
  for (const { user, expires } of users) {
    const previous = ledger.revoked[user];
    ledger.revoked[user] = {
      at: Math.max(nowSec, previous?.at ?? 0),
      ...(expires !== undefined && { expires }),
    };
  }
}

/**
 * Records a key just minted for a Secret, and what becomes of the keys it replaces:
 * - 'renew' (same grant, expiry near): they stay valid until they expire;
 * - 'regrant' (new permissions, issuer or CA for the same owner): they are revoked `graceSec` from
 *   now, time for the kubelet to refresh the pod's Secret volume (the revocation then moves the pod
 *   to the new file, which it reads when it reconnects);
 * - any key of another owner (a Stream deleted and created again under its name) is revoked now.
 */
export function recordIssued(
  ledger: CredentialLedger,
  key: string,
  meta: Omit<IssuedSecret, 'users'>,
  issued: IssuedUser,
  replaces: 'renew' | 'regrant',
  nowSec: number,
  graceSec = 0,
): void {
  const entry = ledger.issued[key];
  const previous = (entry?.users ?? []).filter((u) => u.user !== issued.user);
  let kept: IssuedUser[] = previous;
  if (entry?.owner !== meta.owner) {
    revokeUsers(ledger, previous, nowSec);
    kept = [];
  } else if (replaces === 'regrant') {
    kept = previous.map((u) => ({
      ...u,
      revokeAfter: Math.min(u.revokeAfter ?? Infinity, nowSec + graceSec),
    }));
  }
  ledger.issued[key] = { ...definedMeta(meta), users: [...kept, issued] };
}

/** Revokes the replaced keys whose grace has passed; the earliest grace still running, if any. */
export function revokeDue(ledger: CredentialLedger, nowSec: number): number | undefined {
  let next: number | undefined;
  for (const entry of Object.values(ledger.issued)) {
    const [due, kept] = partition(entry.users, (u) => u.revokeAfter !== undefined && u.revokeAfter <= nowSec);
    revokeUsers(ledger, due, nowSec);
    entry.users = kept;
    for (const u of kept)
      if (u.revokeAfter !== undefined) next = Math.min(next ?? u.revokeAfter, u.revokeAfter);
  }
  return next;
}

/** Records a key found in a Secret written earlier (by an operator that kept no ledger); false when known. */
export function recordFound(
  ledger: CredentialLedger,
  key: string,
  meta: Omit<IssuedSecret, 'users'>,
  found: IssuedUser,
): boolean {
  const entry = ledger.issued[key];
  if (entry?.users.some((u) => u.user === found.user) || ledger.revoked[found.user]) return false;
  ledger.issued[key] = { ...definedMeta(meta), users: [...(entry?.users ?? []), found] };
  return true;
}

/**
 * Revokes the keys of a Secret whose owner is gone: all of them, or only `users` (the ones known when
 * the owner was found gone, so a key minted since for a new owner of the name stays valid).
 */
export function revokeSecret(ledger: CredentialLedger, key: string, nowSec: number, users?: string[]): void {
  const entry = ledger.issued[key];
  if (!entry) return;
  const [revoked, kept] = partition(entry.users, (u) => users === undefined || users.includes(u.user));
  revokeUsers(ledger, revoked, nowSec);
  if (kept.length === 0) delete ledger.issued[key];
  else entry.users = kept;
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

/** Drops keys whose JWT has expired: the server refuses those without being told. */
export function pruneExpired(ledger: CredentialLedger, nowSec: number): void {
  for (const [user, revocation] of Object.entries(ledger.revoked))
    if (revocation.expires !== undefined && revocation.expires <= nowSec) delete ledger.revoked[user];
  for (const [key, entry] of Object.entries(ledger.issued)) {
    entry.users = entry.users.filter((u) => u.expires === undefined || u.expires > nowSec);
    if (entry.users.length === 0) delete ledger.issued[key];
  }
}

/** Stream Secrets whose Stream (same name and uid) no longer exists; `streamUid` undefined: not ours to judge. */
export function orphanedSecrets(
  ledger: CredentialLedger,
  streamUid: (namespace: string, stream: string) => string | null | undefined,
): string[] {
  return Object.entries(ledger.issued).flatMap(([key, entry]) => {
    if (entry.stream === undefined || entry.owner === undefined) return [];
    const uid = streamUid(key.slice(0, key.indexOf('/')), entry.stream);
    return uid !== undefined && uid !== entry.owner ? [key] : [];
  });
}

/** The account JWT's `revocations` claim. */
export function revocationClaims(ledger: CredentialLedger): Record<string, number> {
  return Object.fromEntries(Object.entries(ledger.revoked).map(([user, r]) => [user, r.at]));
}

/** A credential is renewed once less than a third of its lifetime is left (or it never expires). */
export function renewalDue(expires: number | undefined, lifetimeSec: number, nowSec: number): boolean {
  return expires === undefined || expires - nowSec < lifetimeSec / 3;
}

function definedMeta(meta: Omit<IssuedSecret, 'users'>): Omit<IssuedSecret, 'users'> {
  return {
    ...(meta.stream !== undefined && { stream: meta.stream }),
    ...(meta.owner !== undefined && { owner: meta.owner }),
  };
}
