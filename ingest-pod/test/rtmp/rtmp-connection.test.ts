import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { openRtmpPull, type RtmpPullOptions } from '../../src/rtmp/rtmp-connection.js';
import { parseRtmpUrl } from '../../src/rtmp/rtmp-url.js';
import { freeTcpPort, waitFor } from '../support/rtmp-peers.js';
import { startMiniRtmpServer } from './mini-rtmp-server.js';
import { onStatus, serverCommand, serverMessage } from './scripted-server.js';

function options(url: string, more: Partial<RtmpPullOptions> = {}): RtmpPullOptions {
  return { url: parseRtmpUrl(url), timeoutMs: 5000, onTag: () => undefined, onEnd: () => undefined, ...more };
}

function rejectsWith(retriable: boolean, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ReaderError, String(err));
    assert.match(err.message, message);
    assert.equal(err.retriable, retriable, err.message);
    assert.doesNotMatch(err.message, /secret/);
    return true;
  };
}

/** A TCP server that accepts and then does `onSocket` (nothing, by default). */
async function tcpServer(onSocket: (s: net.Socket) => void = () => undefined) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.resume(); // read (and drop) so the client's FIN is seen
    onSocket(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

test('refused connection: retriable, with the address but not the key', async () => {
  const port = await freeTcpPort();
  await assert.rejects(
    openRtmpPull(options(`rtmp://127.0.0.1:${port}/live/secret`)),
    rejectsWith(
      true,
      new RegExp(
        `^rtmp: rtmp://127.0.0.1:${port}/live/\\*\\*\\*: cannot connect to 127.0.0.1:${port}: connect ECONNREFUSED`,
      ),
    ),
  );
});

test('a server that accepts and says nothing: the open budget names the handshake; retriable', async () => {
  const server = await tcpServer();
  try {
    await assert.rejects(
      openRtmpPull(options(`rtmp://127.0.0.1:${server.port}/live/secret`, { timeoutMs: 300 })),
      rejectsWith(true, /no RTMP handshake within 0\.3 s$/),
    );
    await waitFor(() => server.sockets.size === 0, 'the client to close its socket');
  } finally {
    await server.close();
  }
});

test('a server that hangs up at once: retriable, says where it happened', async () => {
  const server = await tcpServer((s) => s.end());
  try {
    await assert.rejects(
      openRtmpPull(options(`rtmp://127.0.0.1:${server.port}/live/secret`)),
      rejectsWith(true, /the server closed the connection while we waited for the RTMP handshake$/),
    );
  } finally {
    await server.close();
  }
});

test('abort during open: rejects at once and closes the socket', async () => {
  const server = await tcpServer();
  try {
    const abort = new AbortController();
    const opening = openRtmpPull(
      options(`rtmp://127.0.0.1:${server.port}/live/secret`, { signal: abort.signal, timeoutMs: 60_000 }),
    );
    await waitFor(() => server.sockets.size === 1, 'the connection');
    abort.abort();
    await assert.rejects(opening, rejectsWith(true, /open aborted/));
    await waitFor(() => server.sockets.size === 0, 'the client to close its socket');
  } finally {
    await server.close();
  }
});

test('StreamNotFound over a real socket: permanent, the server description scrubbed of the key', async () => {
  const server = await startMiniRtmpServer((play) => {
    play.send(
      onStatus(
        'NetStream.Play.StreamNotFound',
        `Failed to play ${play.streamName}; stream not found.`,
        'error',
      ),
    );
  });
  try {
    await assert.rejects(
      openRtmpPull(options(`rtmp://127.0.0.1:${server.port}/live/secret-key?secret=1`)),
      rejectsWith(
        false,
        /: stream not found: NetStream\.Play\.StreamNotFound Failed to play \*\*\*; stream not found\.$/,
      ),
    );
  } finally {
    await server.close();
  }
});

test('connect refused with _error (bad app): permanent, with the server description', async () => {
  const server = await startMiniRtmpServer(
    () => undefined,
    (app) =>
      serverCommand([
        '_error',
        1,
        null,
        {
          level: 'error',
          code: 'NetConnection.Connect.Rejected',
          description: `Application '${app}' not found`,
        },
      ]),
  );
  try {
    await assert.rejects(
      openRtmpPull(options(`rtmp://127.0.0.1:${server.port}/nope/secret`)),
      rejectsWith(
        false,
        /the server refused connect to app "nope": NetConnection\.Connect\.Rejected Application 'nope' not found$/,
      ),
    );
  } finally {
    await server.close();
  }
});

test('after a good open, UnpublishNotify ends the session through onEnd, after the tags before it', async () => {
  const server = await startMiniRtmpServer((play) => {
    play.send(onStatus('NetStream.Play.Start'));
    for (let i = 0; i < 5; i++) play.send(serverMessage(9, Uint8Array.of(0x27, 1, 0, 0, 0, i), 1, i * 40, 6));
    play.send(onStatus('NetStream.Play.UnpublishNotify', `${play.streamName} is now unpublished.`));
  });
  try {
    const tags: FlvTag[] = [];
    const ended = new Promise<ReaderError>((resolve) => {
      void openRtmpPull(
        options(`rtmp://127.0.0.1:${server.port}/live/secret`, {
          onTag: (t) => tags.push(t),
          onEnd: resolve,
        }),
      );
    });
    const error = await ended;
    assert.equal(tags.length, 5);
    assert.equal(error.retriable, true);
    assert.match(
      error.message,
      /the publisher stopped: NetStream\.Play\.UnpublishNotify \*\*\* is now unpublished\.$/,
    );
  } finally {
    await server.close();
  }
});
