import net from 'node:net';
import tls from 'node:tls';
import { FLV_TAG, type FlvTag } from '../flv/flv-tag.js';
import { classifyFailure } from '../reader/error-classification.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { ChunkReaderLimits } from './chunk-reader.js';
import type { StatusInfo } from './commands.js';
import { PlaySession, type PlayStage } from './play-session.js';
import type { RtmpUrl } from './rtmp-url.js';

export interface RtmpPullOptions {
  url: RtmpUrl;
  /** Budget for TCP (+TLS) connect, handshake, connect, createStream, play and the first media message. */
  timeoutMs: number;
  insecureTLS?: boolean;
  signal?: AbortSignal;
  /** Every media and data tag, from before open resolves on. Must not throw. */
  onTag(tag: FlvTag): void;
  /** The session ended after open resolved (the server closed, stopped the stream, or broke the protocol). Not called after close(). */
  onEnd(error: ReaderError): void;
  onStatus?(info: StatusInfo): void;
  limits?: ChunkReaderLimits;
}

/** A pull session that is playing. */
export interface RtmpPullConnection {
  readonly bytesReceived: number;
  /** Stops reading the socket (TCP backpressure to the server) until resume(). */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

const WAITING_FOR: Record<PlayStage | 'tcp', string> = {
  tcp: 'TCP connection',
  handshake: 'RTMP handshake',
  connect: 'answer to connect',
  createStream: 'answer to createStream',
  play: 'NetStream.Play.Start',
  media: 'audio or video after NetStream.Play.Start',
  playing: 'media',
};
/** Some servers (node-media-server) answer play for any name with Play.Start and then wait. */
const NOTHING_PUBLISHED = ': nothing seems to be published under this key';

function connectSocket(url: RtmpUrl, insecureTLS: boolean): { socket: net.Socket; ready: string } {
  if (!url.secure) return { socket: net.connect({ host: url.host, port: url.port }), ready: 'connect' };
  const socket = tls.connect({
    host: url.host,
    port: url.port,
    // SNI takes host names only; an IP literal there is an RFC 6066 violation Node warns about.
    ...(net.isIP(url.host) === 0 ? { servername: url.host } : {}),
    rejectUnauthorized: !insecureTLS,
    minVersion: 'TLSv1.2',
  });
  return { socket, ready: 'secureConnect' };
}

/** Socket errors in a sentence: OpenSSL's multi-line texts shortened to their reason. */
function describeSocketError(err: Error): string {
  const { code, reason } = err as { code?: string; reason?: string };
  if (code?.startsWith('ERR_SSL_')) {
    return `TLS handshake failed (${reason ?? code}): does this port speak RTMPS?`;
  }
  return err.message.trim();
}

/**
 * Connects and plays `url`; resolves with the connection at the first media message, rejects
 * with a ReaderError (permanent when the server refused, for TLS and unknown hosts) when the
 * session ends first or the budget runs out. The media message waited for, not Play.Start alone,
 * because some servers send Play.Start for streams nobody publishes.
 */
export function openRtmpPull(options: RtmpPullOptions): Promise<RtmpPullConnection> {
  const { url } = options;
  return new Promise((resolve, reject) => {
    const { socket, ready } = connectSocket(url, options.insecureTLS === true);
    socket.setNoDelay(true);
    // There is no read timeout (a silent source is the input loop's stall watchdog's business), so
    // keep-alive probes are what notices a server host that vanished without a reset.
    socket.setKeepAlive(true, 10_000);
    let connected = false;
    let opened = false;
    let closing = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const session = new PlaySession(
      {
        app: url.app,
        tcUrl: url.tcUrl,
        streamName: url.streamName,
        secrets: url.secrets,
        ...(options.limits ? { limits: options.limits } : {}),
      },
      (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      (event) => {
        if (event.type === 'tag') {
          options.onTag(event.tag);
          if (!opened && event.tag.type !== FLV_TAG.script) succeed();
        } else if (event.type === 'status') options.onStatus?.(event.info);
        else if (event.type === 'end') finish(event.reason, event.permanent, event.cause);
      },
    );
    const connection: RtmpPullConnection = {
      get bytesReceived() {
        return session.bytesReceived;
      },
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      close: async () => {
        closing = true;
        session.end('closed', false);
        await closed;
      },
    };
    const seconds = options.timeoutMs / 1000;
    const timer = setTimeout(() => {
      const stage = connected ? session.stage : 'tcp';
      const hint = stage === 'media' ? NOTHING_PUBLISHED : '';
      session.end(`no ${WAITING_FOR[stage]} within ${seconds} s${hint}`, false);
    }, options.timeoutMs);
    const onAbort = () => session.end('open aborted', false);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    function succeed(): void {
      opened = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(connection);
    }

    function finish(reason: string, permanent: boolean, cause?: unknown): void {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (closing) return;
      const error = new ReaderError(
        `rtmp: ${url.shown}: ${reason}`,
        !permanent,
        cause !== undefined ? { cause } : undefined,
      );
      if (opened) options.onEnd(error);
      else reject(error);
    }

    socket.once(ready, () => {
      connected = true;
      session.start();
    });
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('error', (err: Error) => {
      const what = connected ? 'connection failed' : `cannot connect to ${url.host}:${url.port}`;
      session.end(`${what}: ${describeSocketError(err)}`, classifyFailure(err).permanent, err);
    });
    socket.on('close', () => {
      const stage = connected ? session.stage : 'tcp';
      const waiting = stage === 'playing' ? '' : ` while we waited for the ${WAITING_FOR[stage]}`;
      session.end(`the server closed the connection${waiting}`, false);
    });
    if (options.signal?.aborted) onAbort();
  });
}
