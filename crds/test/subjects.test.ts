import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allStreamsSubject,
  DEFAULT_SUBJECT_PREFIX,
  parseRouteKey,
  parseStreamSubject,
  routeKey,
  subjectPrefixProblem,
  subjects,
} from '../src/index.js';

describe('subjects', () => {
  test('default prefix is tributary', () => {
    assert.equal(DEFAULT_SUBJECT_PREFIX, 'tributary');
    assert.deepEqual(subjects(undefined, 'default', 'news'), {
      av: 'tributary.default.news.av',
      events: 'tributary.default.news.events',
      status: 'tributary.default.news.status',
      control: 'tributary.default.news.control',
      push: 'tributary._push.default.news',
    });
  });

  const prefixes: [string, string][] = [
    ['acme', 'acme.default.news.av'],
    ['prod.tributary', 'prod.tributary.default.news.av'],
    ['a-b_c', 'a-b_c.default.news.av'],
  ];
  for (const [prefix, av] of prefixes) {
    test(`prefix ${prefix}`, () => {
      const s = subjects(prefix, 'default', 'news');
      assert.equal(s.av, av);
      assert.equal(s.push, `${prefix}._push.default.news`);
    });
  }

  const badPrefixes = ['', ' ', 'a b', 'a.*', '>', 'a.>', '.a', 'a.', 'a..b', 'tab\there'];
  for (const prefix of badPrefixes) {
    test(`prefix ${JSON.stringify(prefix)} is refused`, () => {
      assert.ok(subjectPrefixProblem(prefix));
      assert.throws(() => subjects(prefix, 'default', 'news'), TypeError);
      assert.throws(() => allStreamsSubject('status', prefix), TypeError);
    });
  }

  const badIdentities: [string, string][] = [
    ['default', 'News'],
    ['default', 'a.b'],
    ['default', '*'],
    ['de.fault', 'news'],
    ['', 'news'],
    ['default', ''],
    ['default', `a${'b'.repeat(52)}`],
  ];
  for (const [namespace, stream] of badIdentities) {
    test(`${namespace}/${stream} is refused`, () => {
      assert.throws(() => subjects(undefined, namespace, stream), TypeError);
    });
  }

  test('wildcard for one channel of every stream', () => {
    assert.equal(allStreamsSubject('status'), 'tributary.*.*.status');
    assert.equal(allStreamsSubject('events', 'prod.tributary'), 'prod.tributary.*.*.events');
  });
});

describe('parseStreamSubject', () => {
  const table: [string, string | undefined, ReturnType<typeof parseStreamSubject>][] = [
    ['tributary.default.news.status', undefined, { namespace: 'default', stream: 'news', channel: 'status' }],
    ['tributary.kube-public.a1.av', undefined, { namespace: 'kube-public', stream: 'a1', channel: 'av' }],
    [
      'prod.tributary.default.news.events',
      'prod.tributary',
      { namespace: 'default', stream: 'news', channel: 'events' },
    ],
    ['tributary.default.news.bogus', undefined, undefined],
    ['tributary.default.news', undefined, undefined],
    ['tributary.default.news.av.extra', undefined, undefined],
    ['other.default.news.av', undefined, undefined],
    ['tributaryx.default.news.av', undefined, undefined],
    ['tributary.default.News.av', undefined, undefined],
  ];
  for (const [subject, prefix, expected] of table) {
    test(subject, () => assert.deepEqual(parseStreamSubject(subject, prefix), expected));
  }
  test('round trip', () => {
    for (const channel of ['av', 'events', 'status', 'control'] as const) {
      assert.deepEqual(parseStreamSubject(subjects('x.y', 'ns1', 'cam-2')[channel], 'x.y'), {
        namespace: 'ns1',
        stream: 'cam-2',
        channel,
      });
    }
  });
});

describe('route keys', () => {
  test('routeKey is <namespace>/<name>', () => assert.equal(routeKey('default', 'news'), 'default/news'));
  const table: [string, ReturnType<typeof parseRouteKey>][] = [
    ['default/news', { namespace: 'default', stream: 'news' }],
    ['default/news/extra', undefined],
    ['news', undefined],
    ['Default/news', undefined],
    ['default/', undefined],
    ['/news', undefined],
  ];
  for (const [key, expected] of table) test(key, () => assert.deepEqual(parseRouteKey(key), expected));
});
