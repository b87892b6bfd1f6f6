import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure } from '../../src/reader/error-classification.js';
import { authError, noSupportedTrackError, statusError } from '../../src/rtsp/rtsp-errors.js';
import {
  parsePublic,
  parseSessionHeader,
  parseTransportReply,
  tcpTransport,
  udpTransport,
} from '../../src/rtsp/rtsp-headers.js';

test('transport requests: interleaved 2n-2n+1 per track, client_port a-a+1', () => {
  assert.equal(tcpTransport(0), 'RTP/AVP/TCP;unicast;interleaved=0-1');
  assert.equal(tcpTransport(2), 'RTP/AVP/TCP;unicast;interleaved=4-5');
  assert.equal(udpTransport(50000), 'RTP/AVP;unicast;client_port=50000-50001');
});

test('transport replies: interleaved channels, server ports, source', () => {
  assert.deepEqual(parseTransportReply('RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=1234;mode="PLAY"'), {
    interleaved: [2, 3],
  });
  assert.deepEqual(
    parseTransportReply('RTP/AVP;unicast;client_port=50000-50001;server_port=6970-6971;source=10.0.0.9'),
    { serverPorts: [6970, 6971], source: '10.0.0.9' },
  );
  assert.deepEqual(parseTransportReply('RTP/AVP/TCP;interleaved=6'), { interleaved: [6, 7] });
});

test('session header: id and timeout, 60 s when absent', () => {
  assert.deepEqual(parseSessionHeader('DLjTyvKlVHrHSSWc;timeout=30'), {
    id: 'DLjTyvKlVHrHSSWc',
    timeoutS: 30,
  });
  assert.deepEqual(parseSessionHeader('12345678'), { id: '12345678', timeoutS: 60 });
});

test('Public lists methods', () => {
  assert.ok(parsePublic('OPTIONS, DESCRIBE, get_parameter, PLAY').has('GET_PARAMETER'));
  assert.equal(parsePublic(undefined).size, 0);
});

test('statuses: 404/403/459/461 and other 4xx permanent; 454/455 and 5xx retriable', () => {
  for (const [status, retriable] of [
    [404, false],
    [403, false],
    [459, false],
    [461, false],
    [400, false],
    [454, true],
    [455, true],
    [503, true],
  ] as const) {
    const err = statusError('SETUP', 'rtsp://cam/live', status, 'Reason');
    assert.equal(err.retriable, retriable, String(status));
    assert.equal(classifyFailure(err).permanent, !retriable, String(status));
    assert.match(err.message, new RegExp(`SETUP rtsp://cam/live answered ${status} Reason`));
  }
  assert.match(statusError('DESCRIBE', 'u', 404, 'Not Found').message, /check the camera path/);
});

test('401 is permanent and says why', () => {
  const wrong = authError('rtsp://u:***@cam/', { retry: false, reason: 'wrong credentials' });
  assert.equal(wrong.retriable, false);
  assert.match(wrong.message, /401 Unauthorized: wrong credentials/);
  assert.match(authError('x', { retry: false, reason: 'no credentials' }).message, /needs credentials/);
});

test('no supported track lists the offer', () => {
  const err = noSupportedTrackError('rtsp://cam/', [
    { media: 'video', payloadType: 26, codec: 'JPEG', clockRate: 90000, fmtp: {}, control: 'x' },
    { media: 'audio', payloadType: 100, codec: '', clockRate: 0, fmtp: {}, control: 'y' },
  ]);
  assert.equal(err.retriable, false);
  assert.match(
    err.message,
    /H\.264, H\.265, AAC or MP2T needed; the SDP offered video JPEG, audio payload 100$/,
  );
});
