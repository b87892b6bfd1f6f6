import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UDP_QUEUE_MAX_BYTES } from '../../src/limits.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { resolveMulticastInterface } from '../../src/udp/multicast-interface.js';
import { parseUdpUrl, UDP_DEFAULTS } from '../../src/udp/udp-options.js';

test('unicast, ASM, SSM and IPv6 URLs', () => {
  assert.deepEqual(parseUdpUrl('udp://127.0.0.1:5000'), {
    family: 4,
    bindAddress: '127.0.0.1',
    port: 5000,
    multicast: false,
    rtp: true,
    ...UDP_DEFAULTS,
  });
  const asm = parseUdpUrl('udp://239.1.1.1:5000?iface=eth1');
  assert.equal(asm.multicast, true);
  assert.equal(asm.iface, 'eth1');
  const ssm = parseUdpUrl('udp://232.1.1.1:5000?source=10.0.0.9&iface=10.0.0.2');
  assert.equal(ssm.source, '10.0.0.9');
  assert.equal(ssm.iface, '10.0.0.2');
  const v6 = parseUdpUrl('udp://[ff02::1]:5000?iface=eth0');
  assert.equal(v6.family, 6);
  assert.equal(v6.bindAddress, 'ff02::1');
  assert.equal(v6.multicast, true);
  assert.equal(parseUdpUrl('udp://[::1]:5000').multicast, false);
});

test('ffmpeg spellings: iface@host, @:port, :port', () => {
  assert.equal(parseUdpUrl('udp://eth1@239.1.1.1:5000').iface, 'eth1');
  assert.equal(parseUdpUrl('udp://eth1@239.1.1.1:5000?iface=eth2').iface, 'eth2');
  assert.equal(parseUdpUrl('udp://@:5000').bindAddress, '0.0.0.0');
  assert.equal(parseUdpUrl('udp://:5000').bindAddress, '0.0.0.0');
});

test('tuning options, with fallbacks for nonsense values', () => {
  const o = parseUdpUrl('udp://0.0.0.0:5000?buffer_size=1048576&chan_buf=16&rtp=false&pkt_size=1316');
  assert.equal(o.receiveBufferBytes, 1048576);
  assert.equal(o.queueDatagrams, 16);
  assert.equal(o.rtp, false);
  const bad = parseUdpUrl('udp://0.0.0.0:5000?buffer_size=-4&rtp=yes');
  assert.equal(bad.receiveBufferBytes, UDP_DEFAULTS.receiveBufferBytes);
  assert.equal(bad.queueDatagrams, UDP_DEFAULTS.queueDatagrams);
  assert.equal(bad.rtp, true);
  assert.equal(parseUdpUrl('udp://0.0.0.0:5000?rtp=0').rtp, false);
});

test('rejections name the rule', () => {
  const cases: [string, RegExp][] = [
    ['udp://example.com:5000', /must be an IP address/],
    ['udp://127.0.0.1', /port between 1 and 65535/],
    ['udp://127.0.0.1:70000', /not a parseable URL|port between/],
    ['udp://127.0.0.1:5000?source=10.0.0.1', /needs a multicast group/],
    ['udp://239.1.1.1:5000?source=::1', /must be an IPv4 address/],
    ['udp://127.0.0.1:5000?iface=lo', /only applies to a multicast group/],
    ['udp://239.1.1.1:5000?iface=a%20b', /neither an address nor an interface name/],
  ];
  for (const [url, rule] of cases) {
    assert.throws(
      () => parseUdpUrl(url),
      (err: unknown) => err instanceof ReaderError && !err.retriable && rule.test(err.message),
      url,
    );
  }
});

test('iface by name or address becomes what the membership calls take', () => {
  const table = {
    lo: [
      {
        address: '127.0.0.1',
        family: 'IPv4' as const,
        netmask: '255.0.0.0',
        mac: '',
        internal: true,
        cidr: null,
      },
      {
        address: '::1',
        family: 'IPv6' as const,
        netmask: '',
        mac: '',
        internal: true,
        cidr: null,
        scopeid: 0,
      },
    ],
    eth9: [
      {
        address: 'fe80::1',
        family: 'IPv6' as const,
        netmask: '',
        mac: '',
        internal: false,
        cidr: null,
        scopeid: 2,
      },
    ],
  };
  assert.equal(resolveMulticastInterface(undefined, 4, table), undefined);
  assert.equal(resolveMulticastInterface('lo', 4, table), '127.0.0.1');
  assert.equal(resolveMulticastInterface('10.1.1.1', 4, table), '10.1.1.1');
  assert.equal(resolveMulticastInterface('lo', 6, table), '::%lo');
  assert.equal(resolveMulticastInterface('fe80::1', 6, table), '::%eth9');
  assert.throws(
    () => resolveMulticastInterface('eth7', 4, table),
    /'eth7' does not exist \(have: lo, eth9\)/,
  );
  assert.throws(() => resolveMulticastInterface('eth9', 4, table), /has no IPv4 address/);
  assert.throws(() => resolveMulticastInterface('::1', 4, table), /not an IPv4 address/);
  assert.throws(() => resolveMulticastInterface('fe80::9', 6, table), /no local interface has the address/);
});

test('chan_buf: 1..65536 datagrams, always under the byte bound; anything else names chan_buf', () => {
  assert.equal(parseUdpUrl('udp://0.0.0.0:5000?chan_buf=1').queueDatagrams, 1);
  assert.equal(parseUdpUrl('udp://0.0.0.0:5000?chan_buf=65536').queueDatagrams, 65_536);
  assert.equal(parseUdpUrl('udp://0.0.0.0:5000?chan_buf=65536').queueBytes, UDP_QUEUE_MAX_BYTES);
  assert.equal(parseUdpUrl('udp://0.0.0.0:5000').queueBytes, UDP_QUEUE_MAX_BYTES);
  for (const value of ['0', '65537', '99999999999', 'lots', '-4', '1.5', '']) {
    assert.throws(
      () => parseUdpUrl(`udp://0.0.0.0:5000?chan_buf=${value}`),
      (err: unknown) =>
        err instanceof ReaderError &&
        !err.retriable &&
        /chan_buf must be a whole number of datagrams between 1 and 65536/.test(err.message),
      value,
    );
  }
});
