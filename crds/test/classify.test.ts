import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { classify, type InputKind, isTsTransport, RULES } from '../src/index.js';
import { URL_PATTERNS } from '../src/patterns.js';
import { ACCEPTED, REJECTED } from './fixtures/url-cases.js';

describe('classify accepts', () => {
  for (const { url, expect, why } of ACCEPTED) {
    test(`${url}${why ? ` (${why})` : ''}`, () => {
      assert.deepEqual(classify(url), { ok: true, ...expect });
    });
  }
});

describe('classify rejects, naming the rule', () => {
  for (const { url, rule, why } of REJECTED) {
    test(`${JSON.stringify(url)} -> ${rule}${why ? ` (${why})` : ''}`, () => {
      const result = classify(url);
      assert.equal(result.ok, false, `accepted: ${JSON.stringify(result)}`);
      if (result.ok) return;
      assert.equal(result.rule, rule);
      assert.ok(result.message.endsWith(RULES[rule].message), result.message);
    });
  }
});

test('messages never repeat secrets from the URL', () => {
  const secret = 'topsecret-42';
  for (const url of [
    `srt://encoder.example.com:9000?mode=listener&passphrase=${secret}`,
    `rtmp://user:${secret}@origin.example.com/live`,
    `http://cdn.example.com/index.html?token=${secret}`,
    `copy://news?key=${secret}`,
    `ftp://u:${secret}@host/x`,
  ]) {
    const result = classify(url);
    assert.equal(result.ok, false, url);
    if (!result.ok) assert.ok(!result.message.includes(secret), result.message);
  }
});

test('classify never throws, whatever the string', () => {
  const pieces = fc.constantFrom(
    'udp://',
    'file://',
    'srt://',
    'copy://',
    'http://',
    ':',
    '/',
    '?',
    '#',
    '@',
    '[',
    ']',
    '%',
    '..',
    '0',
  );
  const urlish = fc.array(fc.oneof(pieces, fc.string()), { maxLength: 8 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), urlish, fc.webUrl()), (url) => {
      assert.equal(typeof classify(url).ok, 'boolean');
    }),
    { numRuns: 3000 },
  );
});

describe('isTsTransport', () => {
  const table: [InputKind, boolean][] = [
    ['udp', true],
    ['hls', true],
    ['http-ts', true],
    ['file', true],
    ['srt', true],
    ['rtmp', false],
    ['rtsp', false],
    ['copy', false],
    ['publish', false],
  ];
  for (const [kind, ts] of table) test(`${kind} -> ${ts}`, () => assert.equal(isTsTransport(kind), ts));
});

describe('the CEL URL patterns are never stricter than classify', () => {
  const pattern = Object.fromEntries(
    Object.entries(URL_PATTERNS).map(([name, p]) => [name, new RegExp(p)]),
  ) as Record<keyof typeof URL_PATTERNS, RegExp>;
  const shapeOf: Partial<Record<InputKind, RegExp>> = {
    hls: pattern.httpShape,
    'http-ts': pattern.httpShape,
    file: pattern.fileShape,
    copy: pattern.copyShape,
    publish: pattern.publishShape,
  };
  for (const { url, expect } of ACCEPTED) {
    test(`accepts ${url}`, () => {
      assert.ok(pattern.scheme.test(url), 'scheme');
      assert.equal(pattern.push.test(url), expect.mode === 'push', 'push');
      assert.equal(pattern.http.test(url), expect.kind === 'hls' || expect.kind === 'http-ts', 'http');
      assert.equal(pattern.mpegTs.test(url), isTsTransport(expect.kind), 'mpegTs');
      const shape = shapeOf[expect.kind];
      if (shape) assert.ok(shape.test(url), 'shape');
    });
  }
  const celRule: Partial<Record<string, (url: string) => boolean>> = {
    'url-scheme': (url) => pattern.scheme.test(url),
    'mixer-unsupported': (url) => !url.toLowerCase().startsWith('mixer:'),
    'http-shape': (url) => pattern.httpShape.test(url),
    'file-shape': (url) => pattern.fileShape.test(url),
    'copy-shape': (url) => pattern.copyShape.test(url),
    'publish-shape': (url) => pattern.publishShape.test(url),
  };
  for (const { url, rule, celAccepts } of REJECTED) {
    const holds = celRule[rule];
    if (!holds) continue;
    test(`${celAccepts ? 'lets the operator reject' : 'rejects'} ${url}`, () => {
      assert.equal(holds(url), celAccepts === true);
    });
  }
});
