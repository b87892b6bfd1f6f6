import { randomBytes } from 'node:crypto';
import { ReaderError } from '../reader/packet-reader.js';
import { receiverReport } from './rtcp-report.js';
import { RtspConnection } from './rtsp-connection.js';
import { noSupportedTrackError, RtspStatusError } from './rtsp-errors.js';
import {
  DEFAULT_SESSION_TIMEOUT_S,
  parsePublic,
  parseSessionHeader,
  parseTransportReply,
  tcpTransport,
  udpTransport,
} from './rtsp-headers.js';
import { parseRtspUrl, type RtspUrl } from './rtsp-url.js';
import { describeBase, parseSdp, type SdpTrack, type SessionDescription } from './sdp.js';
import { bindUdpPair, type UdpPair, udpBindAddress } from './udp-pair.js';

export interface RtspSessionOptions {
  url: string;
  /** Budget for connecting and for each request; default 10 s. */
  timeoutMs?: number;
  insecureTLS?: boolean;
  /** transport=auto: how long PLAY over UDP may go without RTP before falling back to TCP. */
  udpRtpWindowMs?: number;
  /** Which tracks to set up; default: H.264, H.265, AAC (RFC 3640 or LATM) and MP2T. */
  isSupported?: (track: SdpTrack) => boolean;
  /** RTP and RTCP packets of `tracks[trackIndex]`; the packet may be a view into a shared buffer. */
  onRtp(trackIndex: number, packet: Uint8Array): void;
  onRtcp?(trackIndex: number, packet: Uint8Array): void;
  /** The session ended after open() without close(): the connection failed or the server left. */
  onError?(error: ReaderError): void;
  log?(message: string): void;
}

const SUPPORTED_CODECS = new Set(['H264', 'H265', 'MPEG4-GENERIC', 'MP4A-LATM', 'MP2T']);
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_UDP_RTP_WINDOW_MS = 2_000;
/** How often receiver reports go to the server over UDP. */
const RECEIVER_REPORT_MS = 5_000;

export function isSupportedTrack(track: SdpTrack): boolean {
  return SUPPORTED_CODECS.has(track.codec);
}

/** A reason to set the session up again over TCP (transport=auto). */
class FallbackToTcp extends Error {}

type Channel = { track: number; rtcp: boolean };

/**
 * An RTSP play session: OPTIONS, DESCRIBE, SETUP per supported track, PLAY, keep-alives at half
 * the session timeout, TEARDOWN on close. Packets go to onRtp/onRtcp by track index.
 */
export class RtspSession {
  /** The tracks set up, in the order of the SDP; `trackIndex` indexes this. */
  tracks: SdpTrack[] = [];
  /** Every track the SDP offered. */
  offered: SdpTrack[] = [];
  transport: 'tcp' | 'udp' | undefined;
  private readonly url: RtspUrl;
  private connection: RtspConnection | undefined;
  private description: SessionDescription | undefined;
  private channels = new Map<number, Channel>();
  private pairs: UdpPair[] = [];
  private keepAlive: NodeJS.Timeout | undefined;
  private reports: NodeJS.Timeout | undefined;
  /** UDP: where each track's receiver reports go (the server's RTCP port). */
  private reportTargets: Array<{ pair: UdpPair; host: string; port: number }> = [];
  private state: 'idle' | 'opening' | 'playing' | 'closed' = 'idle';
  private rtpSeen = 0;
  private onFirstRtp: (() => void) | undefined;
  private onLostWhileOpening: ((error: ReaderError) => void) | undefined;

  constructor(private readonly options: RtspSessionOptions) {
    this.url = parseRtspUrl(options.url);
  }

  /** The URL for logs and errors (password masked). */
  get shown(): string {
    return this.url.shown;
  }

  async open(signal: AbortSignal): Promise<SdpTrack[]> {
    if (this.state !== 'idle') throw new ReaderError(`rtsp: ${this.shown}: open() called twice`, false);
    this.state = 'opening';
    const { transport, secure } = this.url;
    if (secure && transport === 'udp') {
      this.state = 'closed';
      throw new ReaderError(
        `rtsp: ${this.shown}: rtsps needs transport=tcp (SRTP over UDP is not supported)`,
        false,
      );
    }
    const auto = transport === 'auto' && !secure;
    try {
      await this.attempt(auto || transport === 'udp' ? 'udp' : 'tcp', auto, signal);
    } catch (err) {
      if (!(err instanceof FallbackToTcp)) {
        await this.release(false);
        this.state = 'closed';
        throw err;
      }
      this.options.log?.(`rtsp: ${this.shown}: ${err.message}; falling back to TCP interleaved`);
      await this.release(true);
      try {
        await this.attempt('tcp', false, signal);
      } catch (tcpErr) {
        await this.release(false);
        this.state = 'closed';
        throw tcpErr;
      }
    }
    this.state = 'playing';
    return this.tracks;
  }

  private async attempt(firstMode: 'tcp' | 'udp', firstAuto: boolean, signal: AbortSignal): Promise<void> {
    let mode = firstMode;
    let auto = firstAuto;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const connection = new RtspConnection({
      url: this.url,
      timeoutMs,
      ...(this.options.insecureTLS !== undefined && { insecureTLS: this.options.insecureTLS }),
      onInterleaved: (channel, payload) => this.deliver(this.channels.get(channel), payload),
      onLost: (error) => this.lost(error),
    });
    this.connection = connection;
    this.channels = new Map();
    this.rtpSeen = 0;
    const onAbort = () =>
      connection.fail(new ReaderError(`rtsp: ${this.shown}: opening was cancelled`, true));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await connection.connect(signal);
      const requestUrl = this.url.requestUrl;
      let methods = new Set<string>();
      try {
        methods = parsePublic((await connection.request('OPTIONS', requestUrl)).headers.get('Public'));
      } catch (err) {
        // Some cameras refuse OPTIONS yet play fine; only authentication failures end it here.
        if (!(err instanceof RtspStatusError) || err.status === 401) throw err;
      }
      const described = await connection.request('DESCRIBE', requestUrl, [['Accept', 'application/sdp']]);
      const base = describeBase(
        requestUrl,
        described.headers.get('Content-Base'),
        described.headers.get('Content-Location'),
      );
      const description = parseSdp(Buffer.from(described.body).toString('utf8'), base);
      this.description = description;
      this.offered = description.tracks;
      this.tracks = description.tracks.filter(this.options.isSupported ?? isSupportedTrack);
      if (this.tracks.length === 0) throw noSupportedTrackError(this.shown, this.offered);
      let timeoutS = DEFAULT_SESSION_TIMEOUT_S;
      for (const [index, track] of this.tracks.entries()) {
        let reply: Awaited<ReturnType<RtspConnection['request']>>;
        try {
          reply = await this.setup(connection, track, index, mode, auto);
        } catch (err) {
          // Nothing is set up yet: ask again over TCP on this connection instead of reconnecting.
          if (!(err instanceof FallbackToTcp) || index > 0) throw err;
          this.options.log?.(`rtsp: ${this.shown}: ${err.message}; falling back to TCP interleaved`);
          for (const pair of this.pairs) pair.close();
          this.pairs = [];
          this.reportTargets = [];
          mode = 'tcp';
          auto = false;
          reply = await this.setup(connection, track, index, mode, auto);
        }
        const session = reply.headers.get('Session');
        if (session !== undefined) {
          const parsed = parseSessionHeader(session);
          connection.session = parsed.id;
          timeoutS = parsed.timeoutS;
        }
      }
      this.transport = mode;
      const firstRtp = new Promise<void>((resolve) => {
        this.onFirstRtp = resolve;
      });
      await connection.request('PLAY', description.control, [['Range', 'npt=0.000-']]);
      this.startKeepAlive(connection, methods.has('GET_PARAMETER'), timeoutS);
      if (mode === 'udp') this.startReceiverReports();
      if (auto && mode === 'udp') await this.awaitRtp(firstRtp);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async setup(
    connection: RtspConnection,
    track: SdpTrack,
    index: number,
    mode: 'tcp' | 'udp',
    auto: boolean,
  ): Promise<Awaited<ReturnType<RtspConnection['request']>>> {
    if (mode === 'tcp') {
      const reply = await connection.request('SETUP', track.control, [['Transport', tcpTransport(index)]]);
      const channels = parseTransportReply(reply.headers.get('Transport') ?? '').interleaved ?? [
        2 * index,
        2 * index + 1,
      ];
      this.channels.set(channels[0], { track: index, rtcp: false });
      this.channels.set(channels[1], { track: index, rtcp: true });
      return reply;
    }
    const remote = connection.addresses.remote;
    const pair = await bindUdpPair(udpBindAddress(remote));
    this.pairs.push(pair);
    let reply: Awaited<ReturnType<RtspConnection['request']>>;
    try {
      reply = await connection.request('SETUP', track.control, [['Transport', udpTransport(pair.rtpPort)]]);
    } catch (err) {
      if (auto && err instanceof RtspStatusError && err.status !== 401) {
        throw new FallbackToTcp(`SETUP over UDP answered ${err.status}`);
      }
      throw err;
    }
    const { source, serverPorts } = parseTransportReply(reply.headers.get('Transport') ?? '');
    if (serverPorts !== undefined) {
      this.reportTargets.push({
        pair,
        host: source ?? remote.replace(/^::ffff:/i, ''),
        port: serverPorts[1],
      });
    }
    const allowed = new Set([remote.replace(/^::ffff:/i, ''), ...(source !== undefined ? [source] : [])]);
    pair.rtp.on('message', (packet, from) => {
      if (allowed.has(from.address)) this.deliver({ track: index, rtcp: false }, packet);
    });
    pair.rtcp.on('message', (packet, from) => {
      if (allowed.has(from.address)) this.deliver({ track: index, rtcp: true }, packet);
    });
    return reply;
  }

  private deliver(channel: Channel | undefined, packet: Uint8Array): void {
    if (channel === undefined || this.state === 'closed') return;
    if (channel.rtcp) {
      this.options.onRtcp?.(channel.track, packet);
      return;
    }
    this.rtpSeen++;
    if (this.rtpSeen === 1) this.onFirstRtp?.();
    this.options.onRtp(channel.track, packet);
  }

  private async awaitRtp(firstRtp: Promise<void>): Promise<void> {
    const windowMs = this.options.udpRtpWindowMs ?? DEFAULT_UDP_RTP_WINDOW_MS;
    let timer: NodeJS.Timeout | undefined;
    const lost = new Promise<never>((_, reject) => {
      this.onLostWhileOpening = reject;
    });
    const silent = new Promise<'silent'>((resolve) => {
      timer = setTimeout(() => resolve('silent'), windowMs);
    });
    try {
      if ((await Promise.race([firstRtp, silent, lost])) === 'silent') {
        throw new FallbackToTcp(`no RTP arrived over UDP within ${windowMs} ms of PLAY`);
      }
    } finally {
      clearTimeout(timer);
      this.onLostWhileOpening = undefined;
    }
  }

  private startKeepAlive(connection: RtspConnection, getParameter: boolean, timeoutS: number): void {
    const url = getParameter ? (this.description?.control ?? this.url.requestUrl) : this.url.requestUrl;
    this.keepAlive = setInterval(
      () => connection.fireAndForget(getParameter ? 'GET_PARAMETER' : 'OPTIONS', url),
      (timeoutS * 1000) / 2,
    );
    this.keepAlive.unref();
  }

  private startReceiverReports(): void {
    const report = receiverReport(randomBytes(4).readUInt32BE(0), 'tributary');
    const send = () => {
      for (const { pair, host, port } of this.reportTargets) {
        pair.rtcp.send(report, port, host, () => {
          // a lost report is harmless; the next one follows
        });
      }
    };
    send();
    this.reports = setInterval(send, RECEIVER_REPORT_MS);
    this.reports.unref();
  }

  private lost(error: ReaderError): void {
    if (this.state === 'opening') {
      this.onLostWhileOpening?.(error);
      return;
    }
    if (this.state !== 'playing') return;
    this.state = 'closed';
    void this.release(false);
    this.options.onError?.(error);
  }

  /** Stops keep-alives, sends TEARDOWN when asked and a session exists, closes every socket. */
  private async release(teardown: boolean): Promise<void> {
    clearInterval(this.keepAlive);
    clearInterval(this.reports);
    this.keepAlive = undefined;
    this.reports = undefined;
    this.reportTargets = [];
    const connection = this.connection;
    this.connection = undefined;
    if (teardown && connection?.session !== undefined && this.description !== undefined) {
      try {
        await connection.request('TEARDOWN', this.description.control);
      } catch {
        // the server may be gone already; closing the connection ends the session as well
      }
    }
    connection?.close();
    for (const pair of this.pairs) pair.close();
    this.pairs = [];
    this.channels = new Map();
  }

  /** Sends TEARDOWN and closes the connection; safe to call more than once. */
  async close(): Promise<void> {
    const wasPlaying = this.state === 'playing';
    this.state = 'closed';
    await this.release(wasPlaying);
  }
}
