/** The part of a coordination.k8s.io/v1 Lease that leader election reads. */
export interface LeaseRecord {
  holderIdentity?: string | undefined;
  leaseDurationSeconds?: number | undefined;
  /** As written by the holder; compared for change only, never against this candidate's clock. */
  renewTime?: string | undefined;
  resourceVersion?: string | undefined;
  leaseTransitions?: number | undefined;
}

/** The lease as last seen, and when (by this candidate's clock) it was last seen to change. */
export interface LeaseObservation {
  fingerprint: string;
  observedAt: number;
}

export type LeaseAction =
  | { kind: 'create' }
  | { kind: 'renew' }
  | { kind: 'take-over'; transitions: number }
  | { kind: 'wait'; holder: string; expiresInMs: number };

/** What identifies one write of the lease: any renewal or change of holder changes it. */
export function leaseFingerprint(lease: LeaseRecord): string {
  return [lease.holderIdentity ?? '', lease.renewTime ?? '', lease.resourceVersion ?? ''].join('\u0000');
}

/**
 * Notes the lease just read: the observation time moves only when the lease changed. Clocks of
 * different machines disagree, so, as client-go does, a holder is judged by how long this
 * candidate has seen its lease unchanged, not by the renewTime it wrote.
 */
export function observeLease(
  previous: LeaseObservation | undefined,
  lease: LeaseRecord,
  now: number,
): LeaseObservation {
  const fingerprint = leaseFingerprint(lease);
  return previous?.fingerprint === fingerprint ? previous : { fingerprint, observedAt: now };
}

/**
 * What a candidate should do with the lease it just read. A lease held by someone else is taken
 * only after it stayed unchanged for its whole duration since `observedAt` (local clock).
 */
export function decideLease(
  lease: LeaseRecord | undefined,
  identity: string,
  now: number,
  observedAt: number,
): LeaseAction {
  if (!lease) return { kind: 'create' };
  const holder = lease.holderIdentity ?? '';
  if (holder === identity) return { kind: 'renew' };
  const expiresAt = observedAt + (lease.leaseDurationSeconds ?? 0) * 1000;
  if (holder === '' || expiresAt <= now) {
    return { kind: 'take-over', transitions: (lease.leaseTransitions ?? 0) + 1 };
  }
  return { kind: 'wait', holder, expiresInMs: expiresAt - now };
}
