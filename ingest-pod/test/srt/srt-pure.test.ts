import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSrtStreamId } from '@tributary/crds';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { readLinkStats, type StatsOffsets } from '../../src/srt/link-stats.js';
import { encodeSockaddr, formatSockaddr, sockaddrPort } from '../../src/srt/sockaddr.js';
import { decideAccess, streamResource } from '../../src/srt/srt-access.js';
import { resolveSrtHost } from '../../src/srt/srt-source.js';
import { LIBSRT_1_5_1_STATS_OFFSETS } from '../support/srt-peers.js';

test('sockaddr: IPv4 and IPv6 layouts as Linux has them, and back to text', () => {
  const v4 = encodeSockaddr({ family: 4, address: '127.0.0.1', port: 9000 });
  assert.deepEqual([...v4], [2, 0, 0x23, 0x28, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(formatSockaddr(v4), '127.0.0.1:9000');
  assert.equal(sockaddrPort(v4), 9000);
  const v6 = encodeSockaddr({ family: 6, address: '::1', port: 1234 });
  assert.equal(v6.length, 28);
  assert.equal(v6.readUInt16LE(0), 10);
  assert.equal(v6[23], 1);
  assert.equal(formatSockaddr(v6), '[::1]:1234');
  const mapped = encodeSockaddr({ family: 6, address: '::ffff:10.1.2.3', port: 1 });
  assert.deepEqual([...mapped.subarray(18, 24)], [0xff, 0xff, 10, 1, 2, 3]);
  const full = encodeSockaddr({ family: 6, address: '2001:db8:0:0:1:0:0:1', port: 1 });
  assert.equal(formatSockaddr(full), '[2001:db8::1:0:0:1]:1');
});

test('access table: exact id, then resource; unknown ids, explicit rejects and exclusive conflicts', () => {
  const table = {
    streams: {
      'live/cam1': { passphrase: 'cam1-passphrase', exclusive: true },
      'exact id': {},
      'live/banned': { reject: 1403 },
    },
  };
  const none = () => 0;
  assert.deepEqual(decideAccess(table, '#!::r=live/cam1,m=publish', none), {
    accept: true,
    key: 'live/cam1',
    passphrase: 'cam1-passphrase',
    exclusive: true,
  });
  assert.deepEqual(decideAccess(table, 'exact id', none), {
    accept: true,
    key: 'exact id',
    exclusive: false,
  });
  assert.deepEqual(decideAccess(table, 'live/banned', none), {
    accept: false,
    key: 'live/banned',
    code: 1403,
  });
  assert.deepEqual(decideAccess(table, 'nope', none), { accept: false, key: 'nope', code: 1404 });
  assert.deepEqual(decideAccess({ ...table, otherwise: 1401 }, '', none), {
    accept: false,
    key: '',
    code: 1401,
  });
  assert.deepEqual(
    decideAccess(table, 'publish:live/cam1', (key) => (key === 'live/cam1' ? 1 : 0)),
    { accept: false, key: 'live/cam1', code: 1409 },
  );
  assert.equal(decideAccess(table, 'toString', none).accept, false, 'no prototype keys');
});

test('access table: receive modes are forbidden, ids naming no resource are malformed', () => {
  const table = { streams: { 'live/cam1': {}, '#!::u=exact': {} } };
  const none = () => 0;
  const code = (id: string) => {
    const decision = decideAccess(table, id, none);
    return decision.accept ? 'accepted' : decision.code;
  };
  assert.equal(code('#!::r=live/cam1,m=publish,'), 'accepted');
  assert.equal(code('#!::r=live/cam1,m=request'), 1403);
  assert.equal(code('#!::m=bidirectional,r=live/cam1'), 1403);
  assert.equal(code('read:live/cam1'), 1403);
  assert.equal(code('#!::m=publish'), 1400);
  assert.equal(code('#!::r=live/cam1,garbage'), 1400);
  assert.equal(code('publish:'), 1400);
  assert.equal(code('#!::u=exact'), 'accepted', 'an exact id in the table wins');
  assert.equal(code('live/other'), 1404);
});

test('stream resource: the same as the API package reads it (the push-listener routes by that)', () => {
  const ids = [
    '#!::r=live/cam1,m=publish',
    '#!::m=publish,r= spaced ,u=alice',
    '#!::u=alice',
    '#!::r=a=b',
    'publish:live/cam1:user:pass',
    'read:live/cam1',
    'publish:',
    'plain/id',
    '',
    '#!:r=not-the-syntax',
  ];
  for (const id of ids) assert.equal(streamResource(id), parseSrtStreamId(id).resource, id);
});

test('link stats: read from a SRT_TRACEBSTATS buffer at the given offsets; retransmissions summed', () => {
  const at: StatsOffsets = LIBSRT_1_5_1_STATS_OFFSETS;
  const buf = Buffer.alloc(496);
  buf.writeBigInt64LE(1234n, at.pktRecvTotal);
  buf.writeInt32LE(7, at.pktRcvLossTotal);
  buf.writeInt32LE(2, at.pktRcvDropTotal);
  buf.writeInt32LE(3, at.pktRcvRetrans);
  buf.writeDoubleLE(4.1234567, at.mbpsRecvRate);
  buf.writeDoubleLE(0.25, at.msRTT);
  buf.writeDoubleLE(900, at.mbpsBandwidth);
  buf.writeInt32LE(95, at.msRcvBuf);
  buf.writeInt32LE(120, at.msRcvTsbPdDelay);
  assert.deepEqual(readLinkStats(buf, at, 10), {
    rttMs: 0.25,
    bandwidthMbps: 900,
    receiveRateMbps: 4.123,
    packetsReceived: 1234,
    packetsLost: 7,
    packetsRetransmitted: 13,
    packetsDropped: 2,
    receiveBufferMs: 95,
    latencyMs: 120,
  });
});

test('host resolution: literals as they are, names through lookup, DNS failures classified', async () => {
  assert.deepEqual(await resolveSrtHost('10.1.2.3', 9), { family: 4, address: '10.1.2.3', port: 9 });
  assert.deepEqual(await resolveSrtHost('::1', 9), { family: 6, address: '::1', port: 9 });
  assert.deepEqual(await resolveSrtHost('localhost', 9, async () => ({ address: '127.0.0.1', family: 4 })), {
    family: 4,
    address: '127.0.0.1',
    port: 9,
  });
  const failing = (code: string) => async () => {
    throw Object.assign(new Error(`getaddrinfo ${code} x`), { code });
  };
  await assert.rejects(
    resolveSrtHost('nosuch.invalid', 9, failing('ENOTFOUND')),
    (err: unknown) =>
      err instanceof ReaderError && !err.retriable && /cannot resolve nosuch\.invalid/.test(err.message),
  );
  await assert.rejects(
    resolveSrtHost('flaky', 9, failing('EAI_AGAIN')),
    (err: unknown) => err instanceof ReaderError && err.retriable,
  );
});
