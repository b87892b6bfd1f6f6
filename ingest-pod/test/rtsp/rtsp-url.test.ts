import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { parseRtspUrl } from '../../src/rtsp/rtsp-url.js';

function refused(url: string, pattern: RegExp): void {
  assert.throws(
    () => parseRtspUrl(url),
    (err: unknown) => err instanceof ReaderError && !err.retriable && pattern.test(err.message),
  );
}

test('default ports: 554 for rtsp, 322 for rtsps (TLS)', () => {
  const plain = parseRtspUrl('rtsp://cam.local/live');
  assert.deepEqual(
    [plain.secure, plain.host, plain.port, plain.transport],
    [false, 'cam.local', 554, 'auto'],
  );
  const secure = parseRtspUrl('RTSPS://cam.local/live');
  assert.deepEqual([secure.secure, secure.port], [true, 322]);
});

test('userinfo credentials are decoded, removed from the request url and masked in the shown url', () => {
  const url = parseRtspUrl('rtsp://admin:p%40ss%3Aword@10.0.0.5:8554/Streaming/Channels/101?channel=1');
  assert.deepEqual(url.credentials, { username: 'admin', password: 'p@ss:word' });
  assert.equal(url.requestUrl, 'rtsp://10.0.0.5:8554/Streaming/Channels/101?channel=1');
  assert.equal(url.shown, 'rtsp://admin:***@10.0.0.5:8554/Streaming/Channels/101?channel=1');
  assert.equal(url.port, 8554);
});

test('credentials from params (user/password query) override nothing else and are stripped', () => {
  const url = parseRtspUrl('rtsp://cam/live?transport=tcp&user=op&password=hunter2&profile=main');
  assert.deepEqual(url.credentials, { username: 'op', password: 'hunter2' });
  assert.equal(url.transport, 'tcp');
  assert.equal(url.requestUrl, 'rtsp://cam/live?profile=main');
  assert.doesNotMatch(url.shown, /hunter2/);
});

test('transport=udp|auto is read and stripped; an empty path becomes /', () => {
  assert.equal(parseRtspUrl('rtsp://cam?transport=udp').transport, 'udp');
  assert.equal(parseRtspUrl('rtsp://cam?transport=udp').requestUrl, 'rtsp://cam/');
  assert.equal(parseRtspUrl('rtsp://cam/x?transport=auto').requestUrl, 'rtsp://cam/x');
});

test('IPv6 hosts keep their brackets in the url and lose them for connecting', () => {
  const url = parseRtspUrl('rtsp://[fe80::1]:1554/live');
  assert.deepEqual([url.host, url.port, url.requestUrl], ['fe80::1', 1554, 'rtsp://[fe80::1]:1554/live']);
});

test('bad parts are named', () => {
  refused('http://cam/live', /not an rtsp:\/\/ or rtsps:\/\/ url/);
  refused('rtsp:///live', /no host/);
  refused('rtsp://cam:99999/live', /port is not 1-65535/);
  refused('rtsp://cam/live?transport=quic', /transport=quic is not tcp, udp or auto/);
  refused('rtsp://fe80::1/live', /IPv6 host needs brackets/);
  refused('rtsp://cam/live?password=x', /password was given without a user name/);
});

test('a bad url error does not show the password', () => {
  assert.throws(
    () => parseRtspUrl('rtsp://u:topsecret@cam:0/live'),
    (err: unknown) => err instanceof Error && !err.message.includes('topsecret'),
  );
});
