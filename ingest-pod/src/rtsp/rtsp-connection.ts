import net from 'node:net';
import tls from 'node:tls';
import { ReaderError } from '../reader/packet-reader.js';
import { RtspAuthenticator } from './rtsp-auth.js';
import { authError, connectionError, statusError } from './rtsp-errors.js';
import { type RtspResponse, RtspStreamParser, serializeRequest } from './rtsp-message.js';
import type { RtspUrl } from './rtsp-url.js';

export interface ConnectionOptions {
  url: RtspUrl;
  timeoutMs: number;
  insecureTLS?: boolean;
  onInterleaved(channel: number, payload: Uint8Array): void;
  /** The connection failed or closed; not called after close(). Pending requests reject as well. */
  onLost(error: ReaderError): void;
}

/**
 * One RTSP control connection (TCP or TLS): requests in order with CSeq, 401s answered from the
 * URL's credentials, interleaved packets handed on as they arrive.
 */
export class RtspConnection {
  private socket: net.Socket | undefined;
  private readonly parser = new RtspStreamParser();
  private readonly auth: RtspAuthenticator;
  private cseq = 0;
  /** Requests waiting for their answer, by CSeq. */
  private readonly waiting = new Map<
    number,
    { resolve(r: RtspResponse): void; reject(e: ReaderError): void }
  >();
  private closed = false;
  session: string | undefined;

  constructor(private readonly options: ConnectionOptions) {
    this.auth = new RtspAuthenticator(options.url.credentials);
  }

  get shown(): string {
    return this.options.url.shown;
  }

  /** The local and remote addresses, once connected. */
  get addresses(): { local: string; remote: string } {
    return { local: this.socket?.localAddress ?? '', remote: this.socket?.remoteAddress ?? '' };
  }

  async connect(signal: AbortSignal): Promise<void> {
    const { url, timeoutMs } = this.options;
    const socket = url.secure
      ? tls.connect({
          host: url.host,
          port: url.port,
          ...(net.isIP(url.host) === 0 && { servername: url.host }),
          rejectUnauthorized: this.options.insecureTLS !== true,
        })
      : net.connect({ host: url.host, port: url.port });
    this.socket = socket;
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        socket.off(url.secure ? 'secureConnect' : 'connect', ok);
        if (err === undefined) resolve();
        else {
          socket.destroy();
          reject(err);
        }
      };
      const ok = () => done();
      const onAbort = () => done(new ReaderError(`rtsp: ${url.shown}: opening was cancelled`, true));
      const timer = setTimeout(
        () => done(connectionError(url.shown, `no connection within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onError = (err: Error) => done(connectionError(url.shown, 'cannot connect', err));
      socket.once('error', onError);
      socket.once(url.secure ? 'secureConnect' : 'connect', ok);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(connectionError(url.shown, 'connection failed', err)));
    socket.on('close', () => this.fail(connectionError(url.shown, 'the server closed the connection')));
  }

  private onData(chunk: Buffer): void {
    let items: ReturnType<RtspStreamParser['push']>;
    try {
      items = this.parser.push(chunk);
    } catch (err) {
      this.fail(new ReaderError(`rtsp: ${this.shown}: ${(err as Error).message}`, true));
      return;
    }
    for (const item of items) {
      if (item.type === 'interleaved') this.options.onInterleaved(item.channel, item.payload);
      else if (item.type === 'response') {
        const cseq = Number(item.response.headers.get('CSeq'));
        const key = this.waiting.has(cseq) ? cseq : this.waiting.keys().next().value;
        if (key === undefined) continue;
        const waiter = this.waiting.get(key);
        this.waiting.delete(key);
        waiter?.resolve(item.response);
      }
      // Requests from the server (ANNOUNCE, SET_PARAMETER) are not needed for playing.
    }
  }

  /** Ends the connection with `error`: pending requests reject with it and onLost hears it. */
  fail(error: ReaderError): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.destroy();
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(error);
    this.options.onLost(error);
  }

  private send(
    method: string,
    url: string,
    headers: Array<[string, string]>,
  ): Promise<{ response: RtspResponse; sentCredentials: boolean }> {
    if (this.closed || this.socket === undefined) {
      return Promise.reject(connectionError(this.shown, `cannot send ${method}: the connection is closed`));
    }
    const all: Array<[string, string]> = [];
    if (this.session !== undefined) all.push(['Session', this.session]);
    const authorization = this.auth.header(method, url);
    if (authorization !== undefined) all.push(['Authorization', authorization]);
    all.push(...headers);
    const socket = this.socket;
    const cseq = ++this.cseq;
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(cseq);
        reject(connectionError(this.shown, `no answer to ${method} within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      this.waiting.set(cseq, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      socket.write(serializeRequest({ method, url, cseq, headers: all }));
    }).then((response) => ({ response, sentCredentials: authorization !== undefined }));
  }

  /** Sends a request and returns the 2xx answer; 401s are answered from the credentials, other statuses throw. */
  async request(method: string, url: string, headers: Array<[string, string]> = []): Promise<RtspResponse> {
    for (let attempt = 0; ; attempt++) {
      const { response, sentCredentials } = await this.send(method, url, headers);
      if (response.status === 401) {
        const verdict = this.auth.onUnauthorized(
          response.headers.getAll('WWW-Authenticate'),
          sentCredentials,
        );
        if (!verdict.retry) throw authError(this.shown, verdict);
        if (attempt >= 2) throw authError(this.shown, { retry: false, reason: 'wrong credentials' });
        continue;
      }
      if (response.status < 200 || response.status > 299) {
        throw statusError(method, this.shown, response.status, response.reason);
      }
      return response;
    }
  }

  /** Writes without waiting for the answer (keep-alives). */
  fireAndForget(method: string, url: string): void {
    this.send(method, url, []).catch(() => {
      // a failed keep-alive shows up as the connection failing
    });
  }

  /** Ends the connection; onLost is not called for it. */
  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }
}
