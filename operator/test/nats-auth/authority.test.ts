import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, parseCreds } from '@nats-io/jwt';
import { natsPermissions } from '@tributary/crds';
import { generateSeeds, NatsAuthority } from '../../src/nats-auth/authority.js';

describe('NATS authority', () => {
  const seeds = generateSeeds();

  it('generates an operator seed and two account seeds', () => {
    assert.match(seeds.operator, /^SO[A-Z2-7]{56}$/);
    assert.match(seeds.account, /^SA[A-Z2-7]{56}$/);
    assert.match(seeds.system, /^SA[A-Z2-7]{56}$/);
    assert.notEqual(seeds.account, seeds.system);
  });

  it('refuses a missing or wrong seed, naming which', () => {
    assert.throws(
      () => new NatsAuthority({ ...seeds, operator: undefined }, 't'),
      /the operator seed is missing/,
    );
    assert.throws(
      () => new NatsAuthority({ ...seeds, account: seeds.operator }, 't'),
      /the account seed is missing or is not a NATS account seed \(SA…\)/,
    );
    assert.throws(
      () => new NatsAuthority({ ...seeds, system: 'SAXXXX' }, 't'),
      /the system seed is not a valid NATS seed/,
    );
  });

  it('renders a server configuration that trusts the operator and preloads both accounts', async () => {
    const authority = new NatsAuthority(seeds, 'tributary');
    const config = await authority.serverConfig();
    const operatorJwt = /^operator: (\S+)$/m.exec(config)?.[1] ?? '';
    assert.equal(
      decode<{ system_account: string }>(operatorJwt).nats.system_account,
      /system_account: (\S+)/.exec(config)?.[1],
    );
    assert.match(config, /^resolver: MEMORY$/m);
    const accountJwt = new RegExp(`^  ${authority.account}: (\\S+)$`, 'm').exec(config)?.[1] ?? '';
    const account = decode<{ limits?: { disk_storage: number } }>(accountJwt);
    assert.equal(account.sub, authority.account);
    assert.equal(account.nats.limits?.disk_storage, -1, 'JetStream is enabled for the account');
    assert.doesNotMatch(config, /S[OA][A-Z2-7]{56}/, 'no seed in the server configuration');
  });

  it("mints a Stream's credential with exactly its permissions, signed by the account", async () => {
    const authority = new NatsAuthority(seeds, 'tributary');
    const identity = { kind: 'stream', namespace: 'news', stream: 'cam' } as const;
    const minted = await authority.mint(identity, 'news-cam');
    const { jwt, uc } = await parseCreds(new TextEncoder().encode(minted.creds));
    assert.equal(decode(jwt).iss, authority.account);
    const expected = natsPermissions('tributary', identity);
    const user = uc.nats as { pub: { allow: string[] }; sub: { allow: string[] }; resp?: { max: number } };
    assert.deepEqual(user.pub.allow, expected.publish);
    assert.deepEqual(user.sub.allow, expected.subscribe);
    assert.equal(user.resp?.max, 1);
    assert.ok(user.pub.allow.includes('tributary.news.cam.av'));
    assert.ok(!user.pub.allow.some((s) => s.endsWith('.control')), 'a pod never publishes .control');
  });

  it('gives a reader no publish right at all', async () => {
    const authority = new NatsAuthority(seeds, 'tributary');
    const minted = await authority.mint({ kind: 'reader', namespace: 'news' }, 'reader');
    const { uc } = await parseCreds(new TextEncoder().encode(minted.creds));
    assert.deepEqual((uc.nats as { pub: { deny: string[] } }).pub.deny, ['>']);
  });
});
