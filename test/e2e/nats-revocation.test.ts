// Revoking a credential against real nats-servers (Debian's 2.9 and the chart's) configured with
// the auth.conf the operator renders: the account JWT sent through the system account reaches a
// running server (memory resolver) at once, and a restarted server refuses the key again, from its
// auth.conf or from the JWT sent when the operator reconnects.
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import { waitFor } from '../../ingest-pod/test/support/peers.js';
import {
  generateSeeds,
  type MintedCredential,
  NatsAuthority,
} from '../../operator/src/nats-auth/authority.js';
import { ClaimsPusher } from '../../operator/src/nats-auth/claims-pusher.js';
import {
  emptyLedger,
  recordIssued,
  revocationClaims,
  revokeSecret,
} from '../../operator/src/nats-auth/credential-ledger.js';

const PREFIX = 'tributary';
const SECRET = 'news/cam-ingest-nats';
const CAM = { kind: 'stream', namespace: 'news', stream: 'cam' } as const;
const HOUR = 3600;
const log = pino({ level: 'silent' });

const nowSec = () => Math.floor(Date.now() / 1000);

function dial(url: string, credential: MintedCredential): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(credential.creds)),
    maxReconnectAttempts: 0,
  });
}

for (const server of ['debian', 'chart'] as const) {
  describe(`revoking NATS credentials on the ${server} nats-server`, () => {
    const authority = new NatsAuthority(generateSeeds(), PREFIX);
    const started: NatsServer[] = [];
    const pushers: ClaimsPusher[] = [];
    const connections: NatsConnection[] = [];

    async function serve(revocations: Record<string, number>, port?: number): Promise<NatsServer> {
      const nats = await startNats({
        server,
        extraConfig: await authority.serverConfig(revocations),
        ...(port !== undefined && { port }),
      });
      started.push(nats);
      return nats;
    }

    async function pusher(url: string, revocations: Record<string, number>): Promise<ClaimsPusher> {
      const operator = await authority.mint({ kind: 'operator' }, 'operator');
      const p = new ClaimsPusher({
        servers: url,
        account: authority.account,
        systemCreds: await authority.systemCreds(),
        accountCreds: () => new TextEncoder().encode(operator.creds),
        log,
        retryMs: 100,
      });
      pushers.push(p);
      p.start(await authority.accountJwt(revocations));
      return p;
    }

    afterEach(async () => {
      for (const nc of connections.splice(0)) await nc.close().catch(() => {});
      for (const p of pushers.splice(0)) await p.stop();
      for (const nats of started.splice(0)) await nats.stop();
    });
    after(async () => {});

    it('disconnects and refuses a revoked key within seconds; the credential minted after it works', async () => {
      const nats = await serve({});
      const claims = await pusher(nats.url, {});
      const old = await authority.mint(CAM, 'cam-ingest-nats', HOUR);
      const oldConnection = await dial(nats.url, old);
      const closed = oldConnection.closed();
      await waitFor(() => claims.current, 'the server to take the first account JWT');

      // The Stream was created again under its name: a new credential revokes the old key.
      const ledger = emptyLedger();
      recordIssued(ledger, SECRET, { stream: 'cam', owner: 'uid-1' }, old, 'regrant', nowSec());
      const fresh = await authority.mint(CAM, 'cam-ingest-nats', HOUR);
      recordIssued(ledger, SECRET, { stream: 'cam', owner: 'uid-2' }, fresh, 'regrant', nowSec());
      assert.deepEqual(Object.keys(revocationClaims(ledger)), [old.user]);
      const revokedAt = Date.now();
      claims.update(await authority.accountJwt(revocationClaims(ledger)));

      const reason = await closed;
      const tookMs = Date.now() - revokedAt;
      assert.ok(tookMs < 5_000, `the connected client was dropped after ${tookMs} ms`);
      assert.match(String(reason), /revoked|authorization/i);
      await assert.rejects(dial(nats.url, old), /authorization|revoked/i);
      connections.push(await dial(nats.url, fresh));

      // The Stream deleted: its current key goes too.
      const freshConnection = connections[0] as NatsConnection;
      revokeSecret(ledger, SECRET, nowSec());
      claims.update(await authority.accountJwt(revocationClaims(ledger)));
      assert.match(String(await freshConnection.closed()), /revoked|authorization/i);
      await assert.rejects(dial(nats.url, fresh), /authorization|revoked/i);
    });

    it('a restarted server refuses a revoked key: from auth.conf, and from the JWT sent on reconnect', async () => {
      const old = await authority.mint(CAM, 'cam-ingest-nats', HOUR);
      const ledger = emptyLedger();
      recordIssued(ledger, SECRET, { stream: 'cam', owner: 'uid-1' }, old, 'regrant', nowSec());
      revokeSecret(ledger, SECRET, nowSec());
      const revocations = revocationClaims(ledger);

      // Cold start with the auth.conf written after the revocation.
      const current = await serve(revocations);
      await assert.rejects(dial(current.url, old), /authorization|revoked/i);
      const port = current.port;
      await current.stop();

      // Started from an auth.conf older than the revocation (a Secret volume not refreshed yet):
      // the key works until the operator's pusher connects and sends the account JWT.
      const stale = await serve({}, port);
      const before = await dial(stale.url, old);
      const dropped = before.closed();
      const claims = await pusher(stale.url, revocations);
      assert.match(String(await dropped), /revoked|authorization/i);
      await waitFor(() => claims.current, 'the pusher to see the server take the JWT');
      await assert.rejects(dial(stale.url, old), /authorization|revoked/i);

      // The same server restarted: the pusher reconnects and sends it again, before any account
      // client has connected (the account is loaded through the operator's own user).
      const taken = claims.taken;
      await stale.restart();
      await waitFor(() => claims.taken > taken, 'the pusher to send the JWT to the restarted server');
      await assert.rejects(dial(stale.url, old), /authorization|revoked/i);
    });
  });
}
