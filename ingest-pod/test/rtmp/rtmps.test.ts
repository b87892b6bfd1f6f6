import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { classifyFailure } from '../../src/reader/error-classification.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { openRtmpPull } from '../../src/rtmp/rtmp-connection.js';
import { parseRtmpUrl } from '../../src/rtmp/rtmp-url.js';
import { type FfmpegProcess, makeSelfSignedCert, makeTempDir, type TempDir } from '../support/peers.js';
import {
  makeFlvFile,
  type NodeMediaServerPeer,
  publishFileToRtmp,
  startNodeMediaServer,
  startTlsProxy,
  type TlsProxy,
  waitFor,
} from '../support/rtmp-peers.js';

// rtmps:// through a TLS proxy (self-signed certificate) in front of node-media-server.

let dir: TempDir;
let nms: NodeMediaServerPeer;
let publisher: FfmpegProcess;
let proxy: TlsProxy;

before(async () => {
  dir = await makeTempDir();
  const [flv, cert] = await Promise.all([
    makeFlvFile(dir.path, { bframes: false }),
    makeSelfSignedCert(dir.path),
  ]);
  nms = await startNodeMediaServer(dir.path);
  publisher = publishFileToRtmp(flv, nms.url('live/cam'));
  await nms.published('/live/cam');
  proxy = await startTlsProxy(nms.port, cert);
});
after(async () => {
  await proxy?.close();
  await publisher?.stop();
  await nms?.stop();
  await dir?.remove();
});

test('rtmps with insecureTLS: the self-signed certificate is accepted and media flows', async () => {
  const tags: FlvTag[] = [];
  const connection = await openRtmpPull({
    url: parseRtmpUrl(`rtmps://127.0.0.1:${proxy.port}/live/cam`),
    timeoutMs: 10_000,
    insecureTLS: true,
    onTag: (t) => tags.push(t),
    onEnd: () => undefined,
  });
  try {
    await waitFor(() => tags.filter((t) => t.type === 9).length >= 10, '10 video tags over TLS');
  } finally {
    await connection.close();
  }
});

test('rtmps with verification: the self-signed certificate is a permanent TLS error', async () => {
  await assert.rejects(
    openRtmpPull({
      url: parseRtmpUrl(`rtmps://127.0.0.1:${proxy.port}/live/cam`),
      timeoutMs: 10_000,
      onTag: () => undefined,
      onEnd: () => undefined,
    }),
    (err: unknown) => {
      assert.ok(err instanceof ReaderError);
      assert.equal(err.retriable, false);
      assert.match(
        err.message,
        /^rtmp: rtmps:\/\/127\.0\.0\.1:\d+\/live\/\*\*\*: cannot connect to 127\.0\.0\.1:\d+: self[- ]signed certificate/,
      );
      assert.equal(classifyFailure(err).kind, 'tls');
      return true;
    },
  );
});

test('rtmps to a plain RTMP port: a permanent TLS error in one line, not a hang', async () => {
  await assert.rejects(
    openRtmpPull({
      url: parseRtmpUrl(`rtmps://127.0.0.1:${nms.port}/live/cam`),
      timeoutMs: 5000,
      insecureTLS: true,
      onTag: () => undefined,
      onEnd: () => undefined,
    }),
    (err: unknown) => {
      assert.ok(err instanceof ReaderError);
      assert.equal(err.retriable, false);
      assert.match(
        err.message,
        /cannot connect to 127\.0\.0\.1:\d+: TLS handshake failed \(.+\): does this port speak RTMPS\?$/,
      );
      return true;
    },
  );
});
