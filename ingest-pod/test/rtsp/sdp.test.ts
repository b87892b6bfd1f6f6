import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeBase, parseSdp, resolveControl } from '../../src/rtsp/sdp.js';

const GSTREAMER = [
  'v=0',
  'o=- 1188340656180883 1 IN IP4 127.0.0.1',
  's=Session streamed with GStreamer',
  't=0 0',
  'a=tool:GStreamer',
  'a=type:broadcast',
  'a=range:npt=now-',
  'a=control:rtsp://127.0.0.1:8554/test/',
  'm=video 0 RTP/AVP 96',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:96 H264/90000',
  'a=framerate:25',
  'a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAFdkBQfsBEAAAAwAQAAADAyDxYuSA,aMuMsg==;profile-level-id=42c015',
  'a=control:stream=0',
  'm=audio 0 RTP/AVP 97',
  'a=rtpmap:97 MPEG4-GENERIC/44100/2',
  'a=fmtp:97 streamtype=5; profile-level-id=2; mode=AAC-hbr; config=1210; sizelength=13; indexlength=3; indexdeltalength=3',
  'a=control:stream=1',
  'm=video 0 RTP/AVP 33',
  'a=control:rtsp://other/ts',
  '',
].join('\r\n');

test('tracks get codec, clock rate, channels, fmtp and absolute control URLs', () => {
  const sdp = parseSdp(GSTREAMER, 'rtsp://127.0.0.1:8554/test/');
  assert.equal(sdp.control, 'rtsp://127.0.0.1:8554/test/');
  assert.equal(sdp.range, 'npt=now-');
  const [video, audio, ts] = sdp.tracks;
  assert.deepEqual(
    [video?.media, video?.payloadType, video?.codec, video?.clockRate, video?.control],
    ['video', 96, 'H264', 90000, 'rtsp://127.0.0.1:8554/test/stream=0'],
  );
  assert.equal(video?.fmtp['sprop-parameter-sets'], 'Z0LAFdkBQfsBEAAAAwAQAAADAyDxYuSA,aMuMsg==');
  assert.equal(video?.fmtp['packetization-mode'], '1');
  assert.deepEqual([audio?.codec, audio?.clockRate, audio?.channels], ['MPEG4-GENERIC', 44100, 2]);
  assert.deepEqual([audio?.fmtp.config, audio?.fmtp.mode, audio?.fmtp.sizelength], ['1210', 'AAC-hbr', '13']);
  assert.deepEqual([ts?.codec, ts?.clockRate, ts?.control], ['MP2T', 90000, 'rtsp://other/ts']);
});

test('rtpmap and fmtp of another payload type than the first format are ignored', () => {
  const sdp = parseSdp(
    'm=video 0 RTP/AVP 96 97\na=rtpmap:97 H265/90000\na=rtpmap:96 H264/90000\n',
    'rtsp://h/x',
  );
  assert.equal(sdp.tracks[0]?.codec, 'H264');
});

test('control URLs: absolute, *, relative with and without a trailing slash, host-absolute', () => {
  assert.equal(resolveControl('rtsp://a/b', 'rtsp://h/x'), 'rtsp://a/b');
  assert.equal(resolveControl('*', 'rtsp://h/x'), 'rtsp://h/x');
  assert.equal(resolveControl(undefined, 'rtsp://h/x'), 'rtsp://h/x');
  assert.equal(resolveControl('trackID=1', 'rtsp://h/live/'), 'rtsp://h/live/trackID=1');
  assert.equal(resolveControl('trackID=1', 'rtsp://h:554/live'), 'rtsp://h:554/live/trackID=1');
  assert.equal(resolveControl('/other/track1', 'rtsp://h:554/live/'), 'rtsp://h:554/other/track1');
});

test('the base is Content-Base, else Content-Location, else the request URL', () => {
  assert.equal(describeBase('rtsp://r/', 'rtsp://b/', 'rtsp://l/'), 'rtsp://b/');
  assert.equal(describeBase('rtsp://r/', undefined, 'rtsp://l/'), 'rtsp://l/');
  assert.equal(describeBase('rtsp://r/', undefined, undefined), 'rtsp://r/');
});

test('media without a control use the session URL; session control * is the base', () => {
  const sdp = parseSdp('a=control:*\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n', 'rtsp://h/cam/');
  assert.equal(sdp.control, 'rtsp://h/cam/');
  assert.equal(sdp.tracks[0]?.control, 'rtsp://h/cam/');
});
