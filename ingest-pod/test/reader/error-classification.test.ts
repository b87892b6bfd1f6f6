import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure, isPermanentHttpStatus } from '../../src/reader/error-classification.js';
import { HttpStatusError } from '../../src/reader/http-get.js';
import { ReaderError } from '../../src/reader/packet-reader.js';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

test('permanent HTTP statuses: 401, 403, 404, 410, 429 and 5xx', () => {
  for (const s of [401, 403, 404, 410, 429, 500, 502, 503, 504, 599])
    assert.equal(isPermanentHttpStatus(s), true, String(s));
  for (const s of [200, 301, 400, 405, 408, 409, 418])
    assert.equal(isPermanentHttpStatus(s), false, String(s));
});

test('TLS and DNS failures are permanent, refused/reset/timeouts retriable', () => {
  const cases: [unknown, string, boolean][] = [
    [coded('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls', true],
    [coded('CERT_HAS_EXPIRED'), 'tls', true],
    [coded('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls', true],
    [coded('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls', true],
    [coded('ENOTFOUND'), 'dns', true],
    [coded('EAI_AGAIN'), 'dns', false],
    [coded('ECONNREFUSED'), 'network', false],
    [coded('ECONNRESET'), 'network', false],
    [coded('ETIMEDOUT'), 'timeout', false],
    [new DOMException('timed out', 'TimeoutError'), 'timeout', false],
    [new Error('something odd'), 'other', false],
  ];
  for (const [err, kind, permanent] of cases) {
    assert.deepEqual(
      [classifyFailure(err).kind, classifyFailure(err).permanent],
      [kind, permanent],
      err instanceof Error ? err.message : String(err),
    );
  }
});

test('errors that crossed a boundary as text: the seed patterns still classify them', () => {
  const cases: [string, string, boolean, number?][] = [
    ['x509: certificate signed by unknown authority', 'tls', true],
    ['remote error: tls: handshake failure', 'tls', true],
    ['dial tcp: lookup cdn.example: no such host', 'dns', true],
    ['playlist: HTTP 404 not found', 'http', true, 404],
    ['http 503', 'http', true, 503],
    ['http 400 bad request', 'http', false, 400],
  ];
  for (const [message, kind, permanent, status] of cases) {
    const c = classifyFailure(new Error(message));
    assert.deepEqual([c.kind, c.permanent, c.status], [kind, permanent, status], message);
  }
});

test('a ReaderError keeps its own verdict; the kind comes from its cause chain', () => {
  const wrapped = new ReaderError('GET failed', true, {
    cause: new Error('outer', { cause: coded('ENOTFOUND') }),
  });
  assert.deepEqual(classifyFailure(wrapped), { kind: 'dns', permanent: false });
  const status = new HttpStatusError(503, 'Service Unavailable', 'http://h/x.ts?token=1');
  assert.deepEqual(classifyFailure(status), { kind: 'http', status: 503, permanent: true });
  assert.equal(status.message, 'HTTP 503 Service Unavailable from http://h/x.ts?token=***');
  assert.equal(classifyFailure(new ReaderError('bad config', false)).permanent, true);
  assert.equal(classifyFailure('a string').permanent, false);
});
