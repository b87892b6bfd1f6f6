import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure } from '../../src/reader/error-classification.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { connectError, describeReject, sessionEndError } from '../../src/srt/srt-errors.js';
import { parseSrtUrl } from '../../src/srt/srt-url.js';

function rejects(url: string, pattern: RegExp, params?: Record<string, string>) {
  assert.throws(
    () => parseSrtUrl(url, params),
    (err: unknown) => err instanceof ReaderError && !err.retriable && pattern.test(err.message),
    `${url} should fail with ${pattern}`,
  );
}

test('url: host, port and every option; latencies are milliseconds', () => {
  const config = parseSrtUrl(
    'srt://encoder.example:9000?streamid=#!::r=live/cam1,m=request&passphrase=0123456789ab&pbkeylen=32' +
      '&latency=200&rcvlatency=300&peerlatency=400&conntimeo=5000&payload_size=1316&transtype=live&mode=caller',
  );
  assert.deepEqual(config, {
    host: 'encoder.example',
    port: 9000,
    options: {
      streamId: '#!::r=live/cam1,m=request',
      passphrase: '0123456789ab',
      pbKeyLen: 32,
      latencyMs: 200,
      rcvLatencyMs: 300,
      peerLatencyMs: 400,
      connectTimeoutMs: 5000,
      payloadSize: 1316,
    },
  });
  assert.deepEqual(parseSrtUrl('SRT://10.0.0.1:1/').options, {});
  assert.equal(parseSrtUrl('srt://h:2?payloadsize=188').options.payloadSize, 188);
});

test('url: IPv6 hosts, percent-encoding, unknown keys ignored, params override the query', () => {
  assert.deepEqual(parseSrtUrl('srt://[::1]:9000'), { host: '::1', port: 9000, options: {} });
  const config = parseSrtUrl(
    'srt://h:1?streamid=%23!%3A%3Ar%3Da&passphrase=a+b%2Bc+defgh&foo=bar&latency=50',
    {
      latency: '80',
      STREAMID: 'from-params',
    },
  );
  assert.equal(config.options.streamId, 'from-params');
  assert.equal(config.options.latencyMs, 80);
  assert.equal(config.options.passphrase, 'a b+c defgh');
  assert.equal(parseSrtUrl('srt://h:1?streamid=%23!%3A%3Ar%3Da').options.streamId, '#!::r=a');
});

test('url: a bad numeric value names its key; shape errors are permanent and hide the query', () => {
  rejects('srt://h:1?latency=abc', /latency=abc must be a whole number from 0 to 60000/);
  rejects('srt://h:1?conntimeo=0', /conntimeo=0 must be a whole number/);
  rejects('srt://h:1?payload_size=2000', /payload_size=2000 must be a whole number from 188 to 1456/);
  rejects('srt://h:1?pbkeylen=20&passphrase=0123456789', /pbkeylen=20 must be 16, 24 or 32/);
  rejects('srt://h:1?rcvlatency=-5', /rcvlatency=-5/);
  rejects('srt://h:1', /peerlatency=1\.5/, { peerlatency: '1.5' });
  rejects('srt://h:1?passphrase=short', /passphrase must be 10 to 79 characters/);
  rejects('srt://h:1?pbkeylen=16', /pbkeylen needs a passphrase/);
  rejects('srt://h:1?transtype=file', /transtype=file is not supported/);
  rejects('srt://h:1?mode=listener', /mode=listener is not supported/);
  rejects('srt://h:1?streamid=%zz', /value of streamid is not valid percent-encoding/);
  rejects('srt://host', /a port is required/);
  rejects('srt://host:0', /port "0" must be from 1 to 65535/);
  rejects('srt://:9000', /a host is required/);
  rejects('srt://user@host:9000', /user info is not supported/);
  rejects('srt://[::1:9000', /IPv6 host/);
  rejects('udp://h:1', /write it as srt:\/\/host:port/);
  assert.throws(
    () => parseSrtUrl('srt://h:1?passphrase=topsecret99&latency=x'),
    (err: Error) => !err.message.includes('topsecret99') && err.message.includes('srt://h:1:'),
  );
});

test('reject reasons: every SRT_REJ_* code and the access-control codes have a name and a sentence', () => {
  for (let code = 0; code <= 16; code++) {
    const reason = describeReject(code);
    assert.match(reason.name, /^SRT_REJ_[A-Z]+$/, `code ${code}`);
    assert.ok(reason.sentence.length > 10);
  }
  const names = (codes: number[]) => codes.map((c) => describeReject(c).name);
  assert.deepEqual(names([10, 11, 16, 5, 2]), [
    'SRT_REJ_BADSECRET',
    'SRT_REJ_UNSECURE',
    'SRT_REJ_TIMEOUT',
    'SRT_REJ_BACKLOG',
    'SRT_REJ_PEER',
  ]);
  assert.deepEqual(names([1000, 1401, 1403, 1404, 1409, 1503]), [
    'SRT_REJX_FALLBACK',
    'SRT_REJX_UNAUTHORIZED',
    'SRT_REJX_FORBIDDEN',
    'SRT_REJX_NOTFOUND',
    'SRT_REJX_CONFLICT',
    'SRT_REJX_DOWN',
  ]);
  assert.equal(describeReject(2042).name, 'SRT_REJC_USERDEFINED');
  assert.equal(describeReject(1999).name, 'SRT_REJC_PREDEFINED');
  assert.equal(describeReject(99).name, 'SRT_REJ_UNKNOWN');
  const permanent = (code: number) => describeReject(code).permanent;
  for (const code of [10, 11, 8, 1400, 1401, 1403, 1404, 1405])
    assert.equal(permanent(code), true, `${code}`);
  for (const code of [0, 1, 2, 5, 16, 1000, 1402, 1409, 1503, 2042])
    assert.equal(permanent(code), false, `${code}`);
});

test('connect and session errors: named, and permanent or retriable as the input loop needs', () => {
  const where = 'srt://10.0.0.1:9000';
  const bad = connectError(where, { code: 1002, reject: 10 });
  assert.equal(bad.retriable, false);
  assert.match(bad.message, /bad passphrase.*SRT_REJ_BADSECRET, reject code 10/);
  assert.equal(classifyFailure(bad).permanent, true);
  const forbidden = connectError(where, { code: 1002, reject: 1403 });
  assert.match(forbidden.message, /forbidden.*SRT_REJX_FORBIDDEN/);
  assert.equal(forbidden.retriable, false);
  const timeout = connectError(where, { code: 1002, reject: 16 });
  assert.match(timeout.message, /timed out.*SRT_REJ_TIMEOUT/);
  assert.equal(timeout.retriable, true);
  const busy = connectError(where, { code: 1002, reject: 5 });
  assert.equal(busy.retriable, true);
  const unreachable = connectError(where, { code: 1001, immediate: true, detail: 'Network is unreachable' });
  assert.match(unreachable.message, /unreachable: SRT_ENOSERVER \[Network is unreachable\]/);
  assert.equal(unreachable.retriable, true);
  const missing = connectError(where, { code: -1, detail: 'libsrt is not available: no libsrt.so.1.5' });
  assert.equal(missing.retriable, false);
  assert.equal(connectError(where, { code: -2, detail: 'the SRT thread exited (1)' }).retriable, true);
  const lost = sessionEndError(where, { code: 2001, detail: 'Connection was broken' });
  assert.match(lost.message, /closed by the peer or broke/);
  assert.equal(lost.retriable, true);
});
