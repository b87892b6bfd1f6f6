import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { parseRtmpUrl, scrubSecrets } from '../../src/rtmp/rtmp-url.js';

test('app is everything between host and the last segment; the key keeps its query as written', () => {
  const cases: [string, Partial<ReturnType<typeof parseRtmpUrl>>][] = [
    [
      'rtmp://media.example.com/live/abc123',
      {
        secure: false,
        host: 'media.example.com',
        port: 1935,
        app: 'live',
        streamName: 'abc123',
        tcUrl: 'rtmp://media.example.com/live',
      },
    ],
    [
      'rtmp://h:1940/live/instance/abc?token=s3cret&x=1',
      {
        port: 1940,
        app: 'live/instance',
        streamName: 'abc?token=s3cret&x=1',
        tcUrl: 'rtmp://h:1940/live/instance',
      },
    ],
    ['rtmps://h/app/k', { secure: true, port: 443, app: 'app', streamName: 'k', tcUrl: 'rtmps://h/app' }],
    [
      'RTMPS://h:8443/a/b/c/d',
      { secure: true, port: 8443, app: 'a/b/c', streamName: 'd', tcUrl: 'rtmps://h:8443/a/b/c' },
    ],
    [
      'rtmp://[::1]:1936/live/k%20ey',
      { host: '::1', port: 1936, app: 'live', streamName: 'k%20ey', tcUrl: 'rtmp://[::1]:1936/live' },
    ],
    ['rtmp://h//live//key/', { app: 'live', streamName: 'key' }],
  ];
  for (const [url, expected] of cases) {
    const parsed = parseRtmpUrl(url);
    for (const [field, value] of Object.entries(expected)) {
      assert.deepEqual(parsed[field as keyof typeof parsed], value, `${url}: ${field}`);
    }
  }
});

test('the shown URL hides the key and drops the whole query', () => {
  for (const [url, shown] of [
    ['rtmp://h:1940/live/abc123?token=s3cret&plain=visible', 'rtmp://h:1940/live/***'],
    ['rtmps://h/a/b/abc123/', 'rtmps://h/a/b/***'],
  ]) {
    assert.equal(parseRtmpUrl(url as string).shown, shown);
  }
});

test('unusable URLs: permanent errors that never show the key', () => {
  const cases: [string, RegExp][] = [
    ['rtmp://user:pw@h/live/topsecret', /no user:password/],
    ['rtmp://h/topsecret', /needs an app and a stream key/],
    ['rtmp:///live/topsecret', /no host/],
    ['rtmp://h:99999/live/topsecret', /port/],
    ['rtmp://::1/live/topsecret', /no host|port/],
    ['http://h/live/topsecret', /not an rtmp/],
  ];
  for (const [url, message] of cases) {
    assert.throws(
      () => parseRtmpUrl(url),
      (err: unknown) => {
        assert.ok(err instanceof ReaderError);
        assert.equal(err.retriable, false);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /topsecret|pw/);
        return true;
      },
      url,
    );
  }
});

test('server descriptions lose every spelling of the key', () => {
  const { secrets } = parseRtmpUrl('rtmp://h/live/my%20key?token=t0k');
  assert.equal(
    scrubSecrets('Failed to play my key (my%20key?token=t0k); stream not found.', secrets),
    'Failed to play *** (***); stream not found.',
  );
});
