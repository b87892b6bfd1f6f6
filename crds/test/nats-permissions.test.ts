import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { natsInboxPrefix, natsPermissions } from '../src/nats-permissions.js';

describe('NATS permissions', () => {
  it("confine a Stream's pod to its own subjects, route key and inbox", () => {
    const p = natsPermissions('tributary', { kind: 'stream', namespace: 'news', stream: 'cam' });
    for (const subject of ['tributary.news.cam.av', 'tributary.news.cam.events', 'tributary.news.cam.status'])
      assert.ok(p.publish.includes(subject), subject);
    assert.ok(p.publish.includes('$KV.tributary_push_routes.news.cam'));
    assert.ok(p.publish.includes('$KV.tributary_push_active.news.cam'), 'unregistering removes its own mark');
    assert.ok(
      !p.publish.some((s) => s.includes('*') || (s.endsWith('>') && !s.startsWith('$JS.API.DIRECT.GET'))),
      'no wildcard publish',
    );
    assert.deepEqual(p.subscribe, [
      'tributary.news.cam.control',
      'tributary._push.news.cam',
      '_INBOX.news.cam.>',
    ]);
    assert.equal(p.inboxPrefix, '_INBOX.news.cam');
  });

  it("let a copying Stream's pod hear exactly the .av and .events of the Streams it copies", () => {
    const p = natsPermissions('tributary', {
      kind: 'stream',
      namespace: 'news',
      stream: 'mirror',
      copyFrom: [{ stream: 'cam' }, { stream: 'abr', rung: '1080p' }, { stream: 'cam' }],
    });
    assert.deepEqual(p.subscribe, [
      'tributary.news.mirror.control',
      'tributary._push.news.mirror',
      'tributary.news.abr.av.1080p',
      'tributary.news.abr.events',
      'tributary.news.cam.av',
      'tributary.news.cam.events',
      '_INBOX.news.mirror.>',
    ]);
    const plain = natsPermissions('tributary', { kind: 'stream', namespace: 'news', stream: 'mirror' });
    assert.deepEqual(p.publish, plain.publish, 'copying adds nothing to publish');
    assert.deepEqual(
      natsPermissions('tributary', { kind: 'stream', namespace: 'news', stream: 'mirror', copyFrom: [] }),
      plain,
    );
  });

  it('make the operator the only publisher of .control', () => {
    const control = (kind: Parameters<typeof natsPermissions>[1]) =>
      natsPermissions('tributary', kind).publish.filter((s) => s.endsWith('.control'));
    assert.deepEqual(control({ kind: 'operator' }), ['tributary.*.*.control']);
    assert.deepEqual(control({ kind: 'push-listener' }), []);
    assert.deepEqual(control({ kind: 'reader', namespace: 'news' }), []);
    assert.deepEqual(control({ kind: 'buffer', namespaces: [] }), []);
    assert.deepEqual(control({ kind: 'stream', namespace: 'news', stream: 'cam' }), []);
  });

  it("give readers one namespace's media, events and status, and never .control", () => {
    const p = natsPermissions('tributary', { kind: 'reader', namespace: 'news' });
    assert.deepEqual(p.publish, []);
    assert.deepEqual(p.subscribe, [
      'tributary.news.*.av',
      'tributary.news.*.events',
      'tributary.news.*.status',
    ]);
  });

  it("give the buffer its namespaces' media, events and status, and nothing to publish", () => {
    const p = natsPermissions('tributary', { kind: 'buffer', namespaces: ['sports', 'news', 'news'] });
    assert.deepEqual(p.publish, []);
    assert.equal(p.respond, undefined);
    assert.deepEqual(p.subscribe, [
      'tributary.news.*.av',
      'tributary.news.*.events',
      'tributary.news.*.status',
      'tributary.sports.*.av',
      'tributary.sports.*.events',
      'tributary.sports.*.status',
    ]);
    assert.equal(p.inboxPrefix, '_INBOX._buffer');
  });

  it('give a buffer without namespaces every namespace, and never .control or _push', () => {
    const p = natsPermissions('tributary', { kind: 'buffer', namespaces: [] });
    assert.deepEqual(p.publish, []);
    assert.deepEqual(p.subscribe, ['tributary.*.*.av', 'tributary.*.*.events', 'tributary.*.*.status']);
    // A NATS token wildcard: what each granted pattern matches, as nats-server reads it.
    const matches = (pattern: string, subject: string) => {
      const want = pattern.split('.');
      const got = subject.split('.');
      return want.length === got.length && want.every((token, i) => token === '*' || token === got[i]);
    };
    const hears = (subject: string) => p.subscribe.some((pattern) => matches(pattern, subject));
    assert.ok(hears('tributary.news.cam.av'));
    assert.ok(hears('tributary.news.cam.status'));
    assert.ok(!hears('tributary.news.cam.control'));
    assert.ok(!hears('tributary._push.news.cam'));
    assert.ok(!hears('tributary.news.cam.av.1080p'), 'a rung subject is not a Stream channel');
    assert.ok(!p.subscribe.some((s) => s.includes('>')), 'no tail wildcard');
  });

  it('give each identity its own inbox prefix', () => {
    const prefixes = [
      natsInboxPrefix({ kind: 'operator' }),
      natsInboxPrefix({ kind: 'push-listener' }),
      natsInboxPrefix({ kind: 'reader', namespace: 'news' }),
      natsInboxPrefix({ kind: 'buffer', namespaces: ['news'] }),
      natsInboxPrefix({ kind: 'stream', namespace: 'news', stream: 'cam' }),
    ];
    assert.equal(new Set(prefixes).size, prefixes.length);
  });

  it('refuse a prefix or name that would widen a permission', () => {
    assert.throws(() => natsPermissions('a.>', { kind: 'operator' }), /wildcard/);
    assert.throws(
      () => natsPermissions('t', { kind: 'stream', namespace: 'news', stream: '*' }),
      /Stream name/,
    );
    assert.throws(() => natsPermissions('t', { kind: 'reader', namespace: '>' }), /namespace/);
    assert.throws(() => natsPermissions('t', { kind: 'buffer', namespaces: ['news', '*'] }), /namespace/);
  });
});
