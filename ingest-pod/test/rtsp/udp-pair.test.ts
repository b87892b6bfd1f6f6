import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { bindUdpPair, udpBindAddress } from '../../src/rtsp/udp-pair.js';

test('the bind address follows the server: loopback stays loopback, others get the wildcard', () => {
  assert.equal(udpBindAddress('127.0.0.1'), '127.0.0.1');
  assert.equal(udpBindAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(udpBindAddress('::1'), '::1');
  assert.equal(udpBindAddress('10.1.2.3'), '0.0.0.0');
  assert.equal(udpBindAddress('2001:db8::5'), '::');
});

test('a pair is an even RTP port and the odd RTCP port above it, both receiving', async () => {
  const pair = await bindUdpPair('127.0.0.1');
  const sender = dgram.createSocket('udp4');
  try {
    assert.equal(pair.rtpPort % 2, 0);
    assert.equal(pair.rtp.address().port, pair.rtpPort);
    assert.equal(pair.rtcp.address().port, pair.rtpPort + 1);
    const got = Promise.all([once(pair.rtp, 'message'), once(pair.rtcp, 'message')]);
    sender.send(Buffer.from('rtp'), pair.rtpPort, '127.0.0.1');
    sender.send(Buffer.from('rtcp'), pair.rtpPort + 1, '127.0.0.1');
    const [[rtp], [rtcp]] = await got;
    assert.deepEqual([String(rtp), String(rtcp)], ['rtp', 'rtcp']);
  } finally {
    sender.close();
    pair.close();
  }
});
