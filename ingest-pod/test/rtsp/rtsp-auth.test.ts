import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  authorization,
  chooseChallenge,
  digestResponse,
  parseChallenges,
  RtspAuthenticator,
} from '../../src/rtsp/rtsp-auth.js';

const MUFASA = { username: 'Mufasa', password: 'Circle Of Life' };

test('RFC 2617 §3.5 test vector (qop=auth)', () => {
  const [challenge] = parseChallenges([
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  ]);
  assert.ok(challenge);
  const response = digestResponse(challenge, MUFASA, {
    method: 'GET',
    uri: '/dir/index.html',
    nc: 1,
    cnonce: '0a4f113b',
  });
  assert.equal(response, '6629fae49393a05397450978507c4ef1');
  const header = authorization(challenge, MUFASA, {
    method: 'GET',
    uri: '/dir/index.html',
    nc: 1,
    cnonce: '0a4f113b',
  });
  assert.match(
    header,
    /^Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"/,
  );
  assert.match(header, /response="6629fae49393a05397450978507c4ef1"/);
  assert.match(
    header,
    /opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001, cnonce="0a4f113b"$/,
  );
});

test('RFC 7616 §3.9.1 SHA-256 test vector (qop=auth)', () => {
  const [challenge] = parseChallenges([
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  ]);
  assert.ok(challenge);
  const response = digestResponse(
    challenge,
    { username: 'Mufasa', password: 'Circle of Life' },
    { method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' },
  );
  assert.equal(response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

test('RFC 2069 digest without qop: MD5(HA1:nonce:HA2), no nc or cnonce sent', () => {
  // RFC 2617 §3.5's inputs without qop; computed with md5sum from HA1 and HA2 by hand.
  const challenge = {
    scheme: 'digest' as const,
    realm: 'testrealm@host.com',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  };
  const header = authorization(challenge, MUFASA, { method: 'GET', uri: '/dir/index.html', nc: 1 });
  assert.match(header, /response="670fd8c2df070c60b045671b8b24ff02"/);
  assert.doesNotMatch(header, /nc=|cnonce=|qop=/);
});

test('Basic is user:password in base64', () => {
  assert.equal(
    authorization(
      { scheme: 'basic', realm: 'x' },
      { username: 'Aladdin', password: 'open sesame' },
      { method: 'DESCRIBE', uri: 'rtsp://x/', nc: 1 },
    ),
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
  );
});

test('the strongest usable challenge wins; auth-int-only and unknown algorithms are skipped', () => {
  const all = parseChallenges([
    'Basic realm="r"',
    'Digest realm="r", nonce="a", algorithm=MD5',
    'Digest realm="r", nonce="b", algorithm=SHA-256',
    'Digest realm="r", nonce="c", algorithm=SHA-512-256',
    'Negotiate abc',
  ]);
  assert.equal(all.length, 4);
  assert.equal(chooseChallenge(all)?.nonce, 'b');
  assert.equal(chooseChallenge(parseChallenges(['Digest realm="r", nonce="a", qop="auth-int"'])), undefined);
  assert.equal(
    chooseChallenge(parseChallenges(['Basic realm="r"', 'Digest realm="r", nonce="a"']))?.scheme,
    'digest',
  );
});

test('a 401 to credentials already sent means wrong credentials, unless the nonce is stale', () => {
  const auth = new RtspAuthenticator(MUFASA);
  const challenge = ['Digest realm="r", nonce="n1"'];
  assert.equal(auth.header('DESCRIBE', 'rtsp://x/'), undefined);
  assert.deepEqual(auth.onUnauthorized(challenge, false), { retry: true });
  assert.match(auth.header('DESCRIBE', 'rtsp://x/') ?? '', /^Digest .*nonce="n1"/);
  assert.deepEqual(auth.onUnauthorized(['Digest realm="r", nonce="n2", stale=true'], true), { retry: true });
  assert.deepEqual(auth.onUnauthorized(challenge, true), { retry: false, reason: 'wrong credentials' });
  assert.deepEqual(new RtspAuthenticator(undefined).onUnauthorized(challenge, false), {
    retry: false,
    reason: 'no credentials',
  });
  assert.deepEqual(new RtspAuthenticator(MUFASA).onUnauthorized(['Negotiate x'], false), {
    retry: false,
    reason: 'no usable challenge',
  });
});

test('nc counts requests under one nonce', () => {
  const auth = new RtspAuthenticator(MUFASA);
  auth.onUnauthorized(['Digest realm="r", nonce="n", qop="auth"'], false);
  assert.match(auth.header('DESCRIBE', 'rtsp://x/') ?? '', /nc=00000001/);
  assert.match(auth.header('SETUP', 'rtsp://x/a') ?? '', /nc=00000002/);
});
