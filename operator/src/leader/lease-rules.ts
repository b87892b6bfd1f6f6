/** The part of a coordination.k8s.io/v1 Lease that leader election reads. */
export interface LeaseRecord {
  holderIdentity?: string | undefined;
  leaseDurationSeconds?: number | undefined;
  /** ms since epoch */
  renewTime?: number | undefined;
  leaseTransitions?: number | undefined;
}

export type LeaseAction =
  | { kind: 'create' }
  | { kind: 'renew' }
  | { kind: 'take-over'; transitions: number }
  | { kind: 'wait'; holder: string; expiresInMs: number };

/**
 * What a candidate should do with the lease it just read. A lease held by someone else is taken
 * only after it expired: renewTime + leaseDuration has passed by this candidate's clock.
 */
export function decideLease(lease: LeaseRecord | undefined, identity: string, now: number): LeaseAction {
  if (!lease) return { kind: 'create' };
  const holder = lease.holderIdentity ?? '';
  if (holder === identity) return { kind: 'renew' };
  const expiresAt = (lease.renewTime ?? 0) + (lease.leaseDurationSeconds ?? 0) * 1000;
  if (holder === '' || expiresAt <= now) {
    return { kind: 'take-over', transitions: (lease.leaseTransitions ?? 0) + 1 };
  }
  return { kind: 'wait', holder, expiresInMs: expiresAt - now };
}
