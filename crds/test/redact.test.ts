import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isSecretParam, parseSrtStreamId, redactUrl } from '../src/index.js';

describe('redactUrl', () => {
  const table: [string, string][] = [
    ['udp://239.1.1.1:5000?iface=eth1', 'udp://239.1.1.1:5000?iface=eth1'],
    ['udp://eth1@239.1.1.1:5000', 'udp://eth1@239.1.1.1:5000'],
    ['rtmp://user:pa55@origin.example.com/live/k', 'rtmp://user:***@origin.example.com/live/***'],
    [
      'rtmps://origin.example.com:443/app/inst/stream-key?token=t',
      'rtmps://origin.example.com:443/app/inst/***?token=***',
    ],
    ['rtmp://origin.example.com/live/key/', 'rtmp://origin.example.com/live/***/'],
    ['rtmp://origin.example.com/key', 'rtmp://origin.example.com/***'],
    ['rtsp://admin:@cam.local/s', 'rtsp://admin:***@cam.local/s'],
    [
      'srt://e.example:9000?streamid=live/cam1&passphrase=s3cret&latency=200&pbkeylen=16',
      'srt://e.example:9000?streamid=live/cam1&passphrase=***&latency=200&pbkeylen=16',
    ],
    [
      'srt://e.example:9000?streamid=#!::r=a/b,m=request&passphrase=x',
      'srt://e.example:9000?streamid=#!::r=a/b,m=request&passphrase=***',
    ],
    [
      'https://cdn.example.com/a.m3u8?token=abc&quality=hd',
      'https://cdn.example.com/a.m3u8?token=***&quality=hd',
    ],
    [
      'https://b.s3.example.com/a.ts?X-Amz-Signature=abc&X-Amz-Credential=def&X-Amz-Date=1',
      'https://b.s3.example.com/a.ts?X-Amz-Signature=***&X-Amz-Credential=***&X-Amz-Date=1',
    ],
    [
      'https://x.example/a.m3u8?access_token=a&api_key=b&apikey=c&sig=d&auth=e',
      'https://x.example/a.m3u8?access_token=***&api_key=***&apikey=***&sig=***&auth=***',
    ],
    [
      'https://x.example/a.m3u8?Password=a&secret=b&key=c',
      'https://x.example/a.m3u8?Password=***&secret=***&key=***',
    ],
    ['rtmp://0.0.0.0/live/k?key=abc', 'rtmp://0.0.0.0/live/k?key=***'],
    ['rtmp://[::]:1935/live/k', 'rtmp://[::]:1935/live/k'],
    ['http://x.example/a.ts#key=1', 'http://x.example/a.ts#key=1'],
    ['publish://', 'publish://'],
    ['not a url?token=abc', 'not a url?token=***'],
  ];
  for (const [url, redacted] of table) test(url, () => assert.equal(redactUrl(url), redacted));

  test('never throws and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })),
        (url) => {
          const once = redactUrl(url);
          assert.equal(redactUrl(once), once);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('leaves URLs without secrets as they are', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const query = url.split('#')[0]?.split('?')[1] ?? '';
        fc.pre(![...new URLSearchParams(query).keys()].some(isSecretParam));
        assert.equal(redactUrl(url), url);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isSecretParam', () => {
  const table: [string, boolean][] = [
    ['passphrase', true],
    ['token', true],
    ['X-Amz-Signature', true],
    ['hdnts', false],
    ['pbkeylen', false],
    ['latency', false],
    ['streamid', false],
    ['keyframes', false],
  ];
  for (const [name, secret] of table)
    test(`${name} -> ${secret}`, () => assert.equal(isSecretParam(name), secret));
});

describe('parseSrtStreamId', () => {
  const table: [string, ReturnType<typeof parseSrtStreamId>][] = [
    ['#!::r=default/news,m=publish', { resource: 'default/news', mode: 'publish' }],
    ['#!::m=request,r=live/cam1,u=bob', { resource: 'live/cam1', mode: 'request' }],
    ['#!::u=bob', { resource: '' }],
    ['publish:default/news', { resource: 'default/news', mode: 'publish' }],
    ['publish:default/news:user:pass', { resource: 'default/news', mode: 'publish' }],
    ['read:default/news', { resource: 'default/news', mode: 'read' }],
    ['default/news', { resource: 'default/news' }],
  ];
  for (const [id, expected] of table) test(id, () => assert.deepEqual(parseSrtStreamId(id), expected));
});
