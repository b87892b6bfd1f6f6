import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRtmpAddress } from '../../../src/push-listener/rtmp/rtmp-address.js';

const known =
  (...routes: string[]) =>
  () =>
    routes;
const none = known();

test('app is the namespace, the publish name the stream, ?key= the key', () => {
  assert.deepEqual(resolveRtmpAddress('news-ns', 'evening?key=s3cr3t', none), {
    ok: true,
    route: 'news-ns/evening',
    key: 's3cr3t',
  });
});

test('whitespace around app, name and key is trimmed', () => {
  assert.deepEqual(resolveRtmpAddress(' ns ', ' cam ?key= k1 ', none), {
    ok: true,
    route: 'ns/cam',
    key: 'k1',
  });
  assert.deepEqual(resolveRtmpAddress('ns\t', 'cam\n', none), { ok: true, route: 'ns/cam', key: undefined });
});

test('a trailing slash after the namespace (server URL typed with one) is forgiven', () => {
  assert.deepEqual(resolveRtmpAddress('ns/', 'cam?key=k', none), { ok: true, route: 'ns/cam', key: 'k' });
  assert.equal(resolveRtmpAddress('ns//', 'cam?key=k', none).ok, false);
});

test('a missing or empty key is undefined: the gate refuses it as bad-key', () => {
  for (const name of ['cam', 'cam?', 'cam?key=', 'cam?other=1', 'cam?key=%20']) {
    assert.deepEqual(
      resolveRtmpAddress('ns', name, none),
      { ok: true, route: 'ns/cam', key: undefined },
      name,
    );
  }
});

test('the key: first `key` parameter, percent-decoded, a plus stays a plus', () => {
  const key = (name: string) => {
    const r = resolveRtmpAddress('ns', name, none);
    return r.ok ? r.key : `refused: ${r.detail}`;
  };
  assert.equal(key('cam?a=1&key=ab+c/d==&key=second'), 'ab+c/d==');
  assert.equal(key('cam?key=a%2Bb%3D'), 'a+b=');
  assert.equal(key('cam?key=100%'), '100%', 'not percent-encoding: taken as typed');
  assert.equal(key('cam?key=a?b'), 'a?b');
});

test('malformed shapes are refused naming the expected shape, never repeating a query', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['ns', '', /stream name "" is not a Stream name/],
    ['ns', '?key=k', /stream name ""/],
    ['', 'cam?key=k', /app "" is not a namespace name/],
    ['ns/extra', 'cam?key=k', /app "ns\/extra"/],
    ['Bad_NS', 'cam?key=k', /app "Bad_NS"/],
    ['ns', 'a/b?key=k', /stream name "a\/b"/],
    ['ns', 'Cam?key=k', /stream name "Cam"/],
    ['ns', 'cam.flv?key=k', /stream name "cam.flv"/],
    ['ns', '1cam', /stream name "1cam"/],
    ['ns?key=pasted-key', 'cam', /app "ns"/],
    ['x'.repeat(70), 'cam', /app "x{64}…"/],
  ];
  for (const [app, name, detail] of cases) {
    const r = resolveRtmpAddress(app, name, none);
    assert.equal(r.ok, false, `${app} ${name}`);
    if (r.ok) continue;
    assert.match(r.detail, detail);
    assert.match(r.detail, /rtmp:\/\/<host>\/<namespace> and stream key <stream>\?key=<publish key>/);
    assert.ok(!r.detail.includes('pasted-key'));
  }
});

test('live/<stream>: the live namespace first when it has the stream', () => {
  const routes = known('live/cam', 'studio/cam');
  assert.deepEqual(resolveRtmpAddress('live', 'cam?key=k', routes), {
    ok: true,
    route: 'live/cam',
    key: 'k',
  });
});

test('live/<stream>: otherwise the one namespace that has it', () => {
  const routes = known('studio/cam', 'studio/news', 'other/news');
  assert.deepEqual(resolveRtmpAddress(' live ', ' cam ?key=k', routes), {
    ok: true,
    route: 'studio/cam',
    key: 'k',
  });
});

test('live/<stream>: ambiguous or unknown streams are malformed, saying which', () => {
  const routes = known('studio/news', 'other/news', 'studio/cam');
  const ambiguous = resolveRtmpAddress('live', 'news?key=k', routes);
  assert.equal(ambiguous.ok, false);
  if (!ambiguous.ok) assert.match(ambiguous.detail, /"news" is ambiguous \(namespaces other, studio\)/);
  const unknown = resolveRtmpAddress('live', 'weather?key=k', routes);
  assert.equal(unknown.ok, false);
  if (!unknown.ok) assert.match(unknown.detail, /no known Stream is called "weather"/);
});

test('live/<stream> reads the known routes only for the live app, and tolerates junk in them', () => {
  let reads = 0;
  const counting = () => {
    reads++;
    return ['not a route', 'a/b/c', 'studio/cam'];
  };
  assert.equal(resolveRtmpAddress('ns', 'cam', counting).ok, true);
  assert.equal(reads, 0);
  assert.deepEqual(resolveRtmpAddress('live', 'cam', counting), {
    ok: true,
    route: 'studio/cam',
    key: undefined,
  });
  assert.equal(reads, 1);
});

test('live with an invalid stream name is malformed like any other namespace', () => {
  const r = resolveRtmpAddress('live', 'a/b', known('a/b'));
  assert.equal(r.ok, false);
});
