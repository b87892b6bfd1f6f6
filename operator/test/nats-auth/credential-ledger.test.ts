import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import { decode } from '@nats-io/jwt';
import { generateSeeds, NatsAuthority } from '../../src/nats-auth/authority.js';
import {
  emptyLedger,
  orphanedSecrets,
  parseLedger,
  pruneExpired,
  recordFound,
  recordIssued,
  renewalDue,
  revocationClaims,
  revokeDue,
  revokeSecret,
} from '../../src/nats-auth/credential-ledger.js';
import { issuedUser } from '../../src/nats-auth/credential-secrets.js';

const KEY = 'news/cam-ingest-nats';
const CAM = { stream: 'cam', owner: 'uid-1' };

describe('credential ledger', () => {
  it("keeps a renewed key until it expires, revokes a regranted one after its grace, another owner's at once", () => {
    const ledger = emptyLedger();
    recordIssued(ledger, KEY, CAM, { user: 'U1', expires: 500 }, 'regrant', 100, 60);
    recordIssued(ledger, KEY, CAM, { user: 'U2', expires: 900 }, 'renew', 200, 60);
    assert.deepEqual(revocationClaims(ledger), {}, 'a renewal revokes nothing');
    assert.deepEqual(
      ledger.issued[KEY]?.users.map((u) => u.user),
      ['U1', 'U2'],
    );
    // New permissions for the same Stream: the old keys stay valid for the grace only.
    recordIssued(ledger, KEY, CAM, { user: 'U3', expires: 950 }, 'regrant', 300, 60);
    assert.deepEqual(revocationClaims(ledger), {});
    assert.equal(revokeDue(ledger, 359), 360, 'the grace of U1 and U2 ends at 360');
    assert.deepEqual(revocationClaims(ledger), {});
    assert.equal(revokeDue(ledger, 360), undefined);
    assert.deepEqual(revocationClaims(ledger), { U1: 360, U2: 360 });
    assert.deepEqual(ledger.issued[KEY]?.users, [{ user: 'U3', expires: 950 }]);

    // The Stream deleted and created again under its name: the old owner's key goes now.
    recordIssued(
      ledger,
      KEY,
      { stream: 'cam', owner: 'uid-2' },
      { user: 'U4', expires: 1000 },
      'regrant',
      400,
      60,
    );
    assert.equal(revocationClaims(ledger).U3, 400);
    assert.deepEqual(ledger.issued[KEY], {
      stream: 'cam',
      owner: 'uid-2',
      users: [{ user: 'U4', expires: 1000 }],
    });
  });

  it("revokes a deleted Stream's keys: all of them, or only those known when it was found gone", () => {
    const ledger = emptyLedger();
    recordIssued(ledger, KEY, CAM, { user: 'U1', expires: 500 }, 'regrant', 100);
    // Found gone with U1; a Stream created again under the name got U2 before the revocation ran.
    recordIssued(
      ledger,
      KEY,
      { stream: 'cam', owner: 'uid-2' },
      { user: 'U2', expires: 500 },
      'regrant',
      110,
    );
    revokeSecret(ledger, KEY, 120, ['U1']);
    assert.deepEqual(revocationClaims(ledger), { U1: 110 });
    assert.deepEqual(ledger.issued[KEY]?.users, [{ user: 'U2', expires: 500 }], 'U2 stays valid');
    revokeSecret(ledger, KEY, 130);
    assert.deepEqual(revocationClaims(ledger), { U1: 110, U2: 130 });
    assert.equal(ledger.issued[KEY], undefined);
  });

  it('stays bounded: a revocation is dropped once its key has expired; a key without expiry is kept', () => {
    const ledger = emptyLedger();
    recordIssued(ledger, KEY, CAM, { user: 'U1', expires: 500 }, 'regrant', 100);
    recordIssued(ledger, 'news/legacy', {}, { user: 'U0' }, 'regrant', 100);
    revokeSecret(ledger, KEY, 200);
    revokeSecret(ledger, 'news/legacy', 200);
    pruneExpired(ledger, 499);
    assert.deepEqual(Object.keys(ledger.revoked).sort(), ['U0', 'U1']);
    pruneExpired(ledger, 500);
    assert.deepEqual(Object.keys(ledger.revoked), ['U0']);
  });

  it('learns a key found in a Secret written before the ledger, once', () => {
    const ledger = emptyLedger();
    assert.equal(recordFound(ledger, KEY, CAM, { user: 'U0' }), true);
    assert.equal(recordFound(ledger, KEY, CAM, { user: 'U0' }), false);
    revokeSecret(ledger, KEY, 10);
    assert.equal(recordFound(ledger, KEY, CAM, { user: 'U0' }), false, 'a revoked key is not issued again');
  });

  it('finds the Secrets of Streams gone (or replaced by a new uid), leaving unwatched namespaces alone', () => {
    const ledger = emptyLedger();
    recordIssued(ledger, 'news/cam-ingest-nats', CAM, { user: 'U1' }, 'regrant', 1);
    recordIssued(
      ledger,
      'news/live-ingest-nats',
      { stream: 'live', owner: 'uid-L' },
      { user: 'U2' },
      'regrant',
      1,
    );
    recordIssued(
      ledger,
      'news/old-ingest-nats',
      { stream: 'old', owner: 'uid-O' },
      { user: 'U3' },
      'regrant',
      1,
    );
    recordIssued(
      ledger,
      'sport/x-ingest-nats',
      { stream: 'x', owner: 'uid-X' },
      { user: 'U4' },
      'regrant',
      1,
    );
    recordIssued(ledger, 'news/tributary-nats-reader', {}, { user: 'U5' }, 'regrant', 1);
    const uids: Record<string, string | null> = {
      'news/cam': null,
      'news/live': 'uid-L',
      'news/old': 'uid-new',
    };
    const orphans = orphanedSecrets(ledger, (ns, name) =>
      ns === 'sport' ? undefined : (uids[`${ns}/${name}`] ?? null),
    );
    assert.deepEqual(orphans.sort(), ['news/cam-ingest-nats', 'news/old-ingest-nats']);
  });

  it('renews once less than a third of the lifetime is left, and at once a credential without expiry', () => {
    assert.equal(renewalDue(1000, 900, 600), false);
    assert.equal(renewalDue(1000, 900, 701), true);
    assert.equal(renewalDue(undefined, 900, 0), true);
  });

  it('parses what it stores and names a malformed ledger', () => {
    const ledger = emptyLedger();
    recordIssued(ledger, KEY, CAM, { user: 'U1', expires: 5 }, 'regrant', 1);
    assert.deepEqual(parseLedger(JSON.stringify(ledger)), ledger);
    assert.deepEqual(parseLedger(undefined), emptyLedger());
    assert.throws(() => parseLedger('{'), /the credential ledger is not JSON/);
    assert.throws(() => parseLedger('{"issued":{}}'), /needs the objects "issued" and "revoked"/);
  });
});

describe('credentials that expire and can be revoked', () => {
  const authority = new NatsAuthority(generateSeeds(), 'tributary');

  it('mints a JWT that expires after its lifetime; the Secret holding it names its user key', async () => {
    // Several: base64url JWTs contain '-' now and then, which must not cut the JWT short.
    for (let i = 0; i < 12; i++) {
      const before = Math.floor(Date.now() / 1000);
      const minted = await authority.mint({ kind: 'reader', namespace: `news-${i}` }, 'reader', 3600);
      const secret: V1Secret = { data: { 'nats.creds': Buffer.from(minted.creds).toString('base64') } };
      const found = issuedUser(secret);
      assert.equal(found?.user, minted.user);
      assert.equal(found?.expires, minted.expires);
      const after = Math.floor(Date.now() / 1000);
      assert.ok((minted.expires ?? 0) >= before + 3600 && (minted.expires ?? 0) <= after + 3600);
    }
    assert.equal(issuedUser({ data: {} }), undefined);
  });

  it('lists revocations in the account JWT and in the auth.conf, whose system account admits a user', async () => {
    const jwt = await authority.accountJwt({ UABC: 42 });
    assert.deepEqual(decode<{ revocations?: Record<string, number> }>(jwt).nats.revocations, { UABC: 42 });
    const config = await authority.serverConfig({ UABC: 42 });
    const accountJwt = new RegExp(`^  ${authority.account}: (\\S+)$`, 'm').exec(config)?.[1] ?? '';
    assert.deepEqual(decode<{ revocations?: Record<string, number> }>(accountJwt).nats.revocations, {
      UABC: 42,
    });
    const systemKey = /system_account: (\S+)/.exec(config)?.[1] ?? '';
    const systemJwt = new RegExp(`^  ${systemKey}: (\\S+)$`, 'm').exec(config)?.[1] ?? '';
    assert.equal(decode<{ limits?: { conn: number } }>(systemJwt).nats.limits?.conn, -1);
    assert.equal(
      decode<{ revocations?: unknown }>(await authority.accountJwt()).nats.revocations,
      undefined,
      'no empty revocation list',
    );
  });
});
