import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type RtspItem,
  RtspProtocolError,
  RtspStreamParser,
  serializeRequest,
} from '../../src/rtsp/rtsp-message.js';

test('a request has its request line, CSeq, User-Agent, headers in order and a blank line', () => {
  const text = serializeRequest({
    method: 'SETUP',
    url: 'rtsp://cam/live/trackID=1',
    cseq: 3,
    headers: [
      ['Session', 'abc'],
      ['Transport', 'RTP/AVP/TCP;unicast;interleaved=0-1'],
    ],
  }).toString();
  assert.equal(
    text,
    'SETUP rtsp://cam/live/trackID=1 RTSP/1.0\r\nCSeq: 3\r\nUser-Agent: Tributary\r\nSession: abc\r\n' +
      'Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n',
  );
});

test('header values with line breaks are refused (no header injection)', () => {
  assert.throws(
    () =>
      serializeRequest({ method: 'OPTIONS', url: 'rtsp://x/', cseq: 1, headers: [['Session', 'a\r\nX: y']] }),
    RtspProtocolError,
  );
});

const RESPONSE =
  'RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nWWW-Authenticate: Basic realm="a"\r\n' +
  'WWW-Authenticate: Digest realm="a", nonce="n"\r\nContent-Length: 5\r\n\r\nv=0\r\n';

function stream(): Buffer {
  const packet = Buffer.from([0x24, 0x01, 0x00, 0x03, 0xaa, 0xbb, 0xcc]);
  return Buffer.concat([packet, Buffer.from(RESPONSE), Buffer.from([0x24, 0x00, 0x00, 0x00]), packet]);
}

function summary(items: RtspItem[]): unknown[] {
  return items.map((item) =>
    item.type === 'interleaved'
      ? ['$', item.channel, [...item.payload]]
      : item.type === 'response'
        ? [
            item.response.status,
            item.response.headers.getAll('www-authenticate').length,
            Buffer.from(item.response.body).toString(),
          ]
        : [item.method],
  );
}

const EXPECTED = [
  ['$', 1, [0xaa, 0xbb, 0xcc]],
  [200, 2, 'v=0\r\n'],
  ['$', 0, []],
  ['$', 1, [0xaa, 0xbb, 0xcc]],
];

test('responses with bodies and interleaved packets come apart in order', () => {
  assert.deepEqual(summary(new RtspStreamParser().push(stream())), EXPECTED);
});

test('any split of the stream gives the same items', () => {
  const bytes = stream();
  for (let size = 1; size <= 17; size++) {
    const parser = new RtspStreamParser();
    const items: RtspItem[] = [];
    for (let at = 0; at < bytes.length; at += size) items.push(...parser.push(bytes.subarray(at, at + size)));
    assert.deepEqual(summary(items), EXPECTED, `chunks of ${size}`);
  }
});

test('a request from the server is recognised; headers are case-insensitive and folded lines joined', () => {
  const items = new RtspStreamParser().push(
    Buffer.from('ANNOUNCE rtsp://x/ RTSP/1.0\r\ncseq: 7\r\nX-Long: a\r\n  b\r\n\r\n'),
  );
  assert.equal(items[0]?.type, 'request');
  if (items[0]?.type !== 'request') return;
  assert.equal(items[0].method, 'ANNOUNCE');
  assert.equal(items[0].headers.get('CSeq'), '7');
  assert.equal(items[0].headers.get('x-long'), 'a b');
});

test('garbage, oversized headers and bodies are protocol errors', () => {
  assert.throws(
    () => new RtspStreamParser().push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n')),
    /not an RTSP message/,
  );
  const small = { maxHeaderBytes: 32, maxBodyBytes: 4 };
  assert.throws(() => new RtspStreamParser(small).push(Buffer.alloc(40, 0x41)), /longer than 32 bytes/);
  assert.throws(
    () => new RtspStreamParser(small).push(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n')),
    /Content-Length 5/,
  );
});
