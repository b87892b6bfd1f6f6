import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redactStreamId, redactUrl, streamIdSecrets, urlSecrets } from '../src/index.js';

describe('redactUrl: credentials the name rules used to miss', () => {
  const table: [string, string][] = [
    ['https://TOKEN123@cdn.example/live.m3u8', 'https://***@cdn.example/live.m3u8'],
    ['rtsp://secrettoken@cam.local/s', 'rtsp://***@cam.local/s'],
    ['udp://eth1@239.1.1.1:5000', 'udp://eth1@239.1.1.1:5000'],
    ['https://user:pa"ss@cdn.example/a.m3u8', 'https://user:***@cdn.example/a.m3u8'],
    [
      'srt://e.example:9000?streamid=#!::u=alice,t=SECRET42,r=live/cam1&latency=200',
      'srt://e.example:9000?streamid=#!::u=alice,t=***,r=live/cam1&latency=200',
    ],
    [
      'srt://e.example:9000?streamid=#!::r=live/cam1,m=request,s=sess1on,t=stream',
      'srt://e.example:9000?streamid=#!::r=live/cam1,m=request,s=***,t=stream',
    ],
    [
      'srt://e.example:9000?streamid=%23!%3A%3Au%3Dalice%2Ct%3DSECRET42',
      'srt://e.example:9000?streamid=#!::u=alice,t=***',
    ],
    [
      'srt://e.example:9000?streamid=publish:live/cam1:alice:hunter22',
      'srt://e.example:9000?streamid=publish:live/cam1:alice:***',
    ],
    ['srt://e.example:9000?streamid=live/cam1', 'srt://e.example:9000?streamid=live/cam1'],
  ];
  for (const [url, redacted] of table) {
    test(url, () => {
      assert.equal(redactUrl(url), redacted);
      assert.equal(redactUrl(redacted), redacted, 'idempotent');
    });
  }
});

describe('streamIdSecrets and redactStreamId', () => {
  const table: [string, string[], string][] = [
    ['#!::u=alice,t=SECRET,r=a/b', ['SECRET'], '#!::u=alice,t=#,r=a/b'],
    ['#!::r=a/b,m=publish,h=host,u=bob,t=file', [], '#!::r=a/b,m=publish,h=host,u=bob,t=file'],
    ['#!::r=a/b,token=xyz,s=abc', ['xyz', 'abc'], '#!::r=a/b,token=#,s=#'],
    ['publish:a/b:user:pa:ss', ['pa:ss'], 'publish:a/b:user:#'],
    ['read:a/b:user', [], 'read:a/b:user'],
    ['plain-id', [], 'plain-id'],
  ];
  for (const [id, secrets, masked] of table) {
    test(id, () => {
      assert.deepEqual(streamIdSecrets(id), secrets);
      assert.equal(redactStreamId(id, '#'), masked);
    });
  }
});

describe('urlSecrets', () => {
  test('userinfo, secret query values and streamid credentials, written and decoded', () => {
    assert.deepEqual(urlSecrets('https://TOKEN123@h.example/a.m3u8?token=t%2Fok&q=1'), ['TOKEN123', 't/ok']);
    assert.deepEqual(urlSecrets('rtmp://user:p%40ss@h.example/app/key'), ['p%40ss', 'p@ss']);
    assert.deepEqual(urlSecrets('srt://h.example:9000?streamid=#!::u=alice,t=SECRET&passphrase=0123456789'), [
      'SECRET',
      '0123456789',
    ]);
    assert.deepEqual(urlSecrets('udp://eth1@239.1.1.1:5000'), []);
    assert.deepEqual(urlSecrets('not a url'), []);
  });
});
