// One encoder's TCP connection: node-media-server's engine parses it; we decide on `publish`.
//
// The engine's own publish handler answers NetStream.Publish.Start at once and only then asks
// anyone; ours asks the gate first and answers Start once admitted, or an error status and a
// close when refused, so well-behaved encoders send no media before that. Media that comes
// anyway is held (bounded) until the gate decides. The engine's `play` handler is replaced by a
// refusal, and nothing is ever handed to node-media-server's broadcast, record or relay servers.
import type net from 'node:net';
import type Rtmp from 'node-media-server/src/protocol/rtmp.js';
import type { Logger } from 'pino';
import type { RouteKey } from '../../registry/registry-api.js';
import type { Admission, Publisher, PushGate, RejectReason } from '../push-gate-api.js';
import { FlvRecordTap } from './flv-record-tap.js';
import { createRtmpEngine, RtmpLimitError } from './nms-rtmp.js';
import { resolveRtmpAddress } from './rtmp-address.js';

export interface ConnectionSettings {
  gate: PushGate;
  knownRoutes: () => Iterable<RouteKey>;
  log: Logger;
  /** Time from accept to admission; the connection is closed (and counted 'idle') after it. */
  idleTimeoutMs: number;
  /** An admitted publisher that sends nothing for this long is disconnected. */
  stallTimeoutMs: number;
  /** Media held while the gate decides; more than this is refused. */
  holdLimitBytes: number;
  /** Reassembly memory an admitted publisher may use. */
  publishingBufferBytes: number;
  draining: () => boolean;
  closed: (connection: RtmpPushConnection) => void;
}

type State =
  /** Handshake, connect, createStream: no publish yet. */
  | 'connected'
  /** publish received, the gate is deciding. */
  | 'admitting'
  | 'publishing'
  /** Refused, revoked or shut down: waiting for the socket to close; input is ignored. */
  | 'closing'
  | 'closed';

/** A refusal we decided while the gate was still deciding; counted only if the gate admits. */
interface LateRefusal {
  reason: RejectReason;
  detail: string;
}

const DISCONNECTED = 'publisher disconnected';
/** After an error status and FIN, how long a peer gets to close before the socket is destroyed. */
const LINGER_MS = 2_000;
const MAX_CHUNK_STREAMS = 64;

export class RtmpPushConnection {
  readonly peer: string;
  private readonly rtmp: Rtmp;
  private readonly tap: FlvRecordTap;
  private state: State = 'connected';
  private route: RouteKey | undefined;
  private publisher: Publisher | undefined;
  private publisherEnded = false;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private lateRefusal: LateRefusal | undefined;
  /** Why the publisher ends when the socket closes, if not the encoder's doing. */
  private endReason: string | undefined;
  private readonly idleTimer: NodeJS.Timeout;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly closedPromise: Promise<void>;

  constructor(
    private readonly socket: net.Socket,
    private readonly settings: ConnectionSettings,
  ) {
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.rtmp = createRtmpEngine({
      maxChunkStreams: MAX_CHUNK_STREAMS,
      maxBufferedBytes: () =>
        this.state === 'publishing' ? settings.publishingBufferBytes : settings.holdLimitBytes,
    });
    this.tap = new FlvRecordTap((record) => this.forward(record));
    this.rtmp.onOutputCallback = (bytes) => this.write(bytes);
    this.rtmp.onPacketCallback = (packet) => {
      if (this.state !== 'admitting' && this.state !== 'publishing') return;
      this.tap.take(packet.codec_type, packet.dts, packet.data.subarray(0, packet.size));
    };
    this.rtmp.onPublish = (message) => this.publish(message.streamName);
    this.rtmp.onPlay = () => {
      this.rtmp.streamId = this.rtmp.parserPacket.header.stream_id;
      this.refuse(
        'forbidden',
        'this listener takes publishers only; play is not served',
        'NetStream.Play.Failed',
      );
    };
    this.rtmp.onDeleteStream = () => {
      if (this.state === 'publishing' || this.state === 'admitting') this.hangUp(DISCONNECTED);
    };
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (bytes: Buffer) => this.receive(bytes));
    socket.on('error', (error) =>
      settings.log.debug({ peer: this.peer, err: error.message }, 'rtmp socket error'),
    );
    socket.on('close', () => this.onClose());
    socket.on('timeout', () => {
      if (this.state === 'publishing') {
        settings.log.info(
          { peer: this.peer, route: this.route },
          'rtmp publisher sent nothing; disconnecting',
        );
        this.hangUp('publisher stalled');
      }
    });
    this.idleTimer = setTimeout(() => this.idle(), settings.idleTimeoutMs);
  }

  get isPublishing(): boolean {
    return this.state === 'publishing';
  }

  /** Resolves once the socket has closed. */
  get closed(): Promise<void> {
    return this.closedPromise;
  }

  /** Server shutdown: ends the publisher with `reason` and drops the connection now. */
  shutDown(reason: string): void {
    if (this.state === 'closed') return;
    this.endReason ??= reason;
    this.state = 'closing';
    this.endPublisher(reason);
    this.socket.destroy();
  }

  private receive(bytes: Buffer): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    try {
      this.rtmp.parserData(bytes);
    } catch (error) {
      // Anything in the engine may throw on hostile input (and a throw in a socket's data handler
      // would take the process down): the connection goes, nothing else.
      const err = error instanceof Error ? error.message : String(error);
      const fields = { peer: this.peer, route: this.route, err };
      if (this.state === 'publishing')
        this.settings.log.warn(fields, 'rtmp protocol error; disconnecting publisher');
      else this.settings.log.debug(fields, 'rtmp protocol error; closing connection');
      if (error instanceof RtmpLimitError && this.state === 'admitting') {
        this.lateRefusal ??= { reason: 'forbidden', detail: err };
      }
      this.endReason ??= 'rtmp protocol error';
      this.state = 'closing';
      this.socket.destroy();
    }
  }

  private publish(streamName: unknown): void {
    if (this.state !== 'connected') return; // a second publish on one connection: ignored
    this.rtmp.streamId = this.rtmp.parserPacket.header.stream_id;
    if (this.settings.draining()) {
      this.refuse('draining', 'this listener replica is shutting down');
      return;
    }
    if (typeof streamName !== 'string') {
      this.refuse('malformed', 'publish without a stream name');
      return;
    }
    const app = typeof this.rtmp.streamApp === 'string' ? this.rtmp.streamApp : '';
    const address = resolveRtmpAddress(app, streamName, this.settings.knownRoutes);
    if (!address.ok) {
      this.refuse('malformed', address.detail);
      return;
    }
    this.route = address.route;
    this.rtmp.streamName = address.route.slice(address.route.indexOf('/') + 1);
    this.state = 'admitting';
    void this.settings.gate
      .admit({ protocol: 'rtmp', peer: this.peer, route: address.route, key: address.key })
      .then((admission) => this.decided(admission))
      .catch((error: unknown) => {
        // Our own bug or the gate's: the connection goes, the process stays.
        this.settings.log.error({ peer: this.peer, route: this.route, err: error }, 'rtmp admission failed');
        this.shutDown('rtmp listener error');
      });
  }

  private decided(admission: Admission): void {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    if (!admission.ok) {
      this.settings.log.info(
        { peer: this.peer, route: this.route, reason: admission.reason, detail: admission.detail },
        'rtmp publish refused',
      );
      if (this.state === 'admitting') this.reject(admission.reason, admission.detail);
      return;
    }
    const { publisher } = admission;
    if (this.state !== 'admitting') {
      // Gone, or refused by us, while the gate was deciding.
      const late = this.lateRefusal;
      if (late !== undefined) {
        this.settings.log.info(
          { peer: this.peer, route: this.route, reason: late.reason },
          'rtmp publish refused',
        );
        this.settings.gate.refused('rtmp', late.reason, late.detail, this.peer);
      }
      publisher.end(late !== undefined ? `refused: ${late.detail}` : (this.endReason ?? DISCONNECTED));
      return;
    }
    this.state = 'publishing';
    this.publisher = publisher;
    publisher.onRevoked = (reason) => this.revoked(reason);
    clearTimeout(this.idleTimer);
    this.socket.setTimeout(this.settings.stallTimeoutMs);
    this.rtmp.respondPublish();
    for (const record of held) publisher.relay(record);
    this.settings.log.info(
      { peer: this.peer, route: this.route, session: publisher.session },
      'rtmp publisher admitted',
    );
  }

  private forward(record: Uint8Array): void {
    if (this.state === 'publishing') {
      this.publisher?.relay(record);
      return;
    }
    this.heldBytes += record.length;
    if (this.heldBytes <= this.settings.holdLimitBytes) {
      this.held.push(record);
      return;
    }
    const detail = `sent more than ${this.settings.holdLimitBytes} bytes of media before it was admitted`;
    this.settings.log.debug({ peer: this.peer, route: this.route }, `rtmp publisher ${detail}`);
    this.lateRefusal = { reason: 'forbidden', detail };
    this.held = [];
    this.state = 'closing';
    this.socket.destroy();
  }

  private revoked(reason: string): void {
    if (this.state !== 'publishing') return;
    this.settings.log.info(
      { peer: this.peer, route: this.route, reason },
      'rtmp publisher revoked; disconnecting',
    );
    this.hangUp(reason);
  }

  private idle(): void {
    if (this.state === 'connected') {
      this.refuse('idle', `did not publish within ${this.settings.idleTimeoutMs} ms`, null);
    } else if (this.state === 'admitting') {
      this.lateRefusal = { reason: 'idle', detail: `not admitted within ${this.settings.idleTimeoutMs} ms` };
      this.state = 'closing';
      this.socket.destroy();
    }
  }

  /**
   * A refusal decided here (not by the gate): counted, logged, and the encoder told with an error
   * status `code` (null: nothing to tell, the connection never got that far).
   */
  private refuse(
    reason: RejectReason,
    detail: string,
    code: string | null = 'NetStream.Publish.Rejected',
  ): void {
    this.settings.log.info({ peer: this.peer, route: this.route, reason, detail }, 'rtmp publish refused');
    this.settings.gate.refused('rtmp', reason, detail, this.peer);
    if (code === null) {
      this.state = 'closing';
      this.socket.destroy();
      return;
    }
    this.reject(reason, detail, code);
  }

  /** Error status to the encoder, then FIN; destroyed if it does not close in time. */
  private reject(reason: RejectReason, detail: string, code = 'NetStream.Publish.Rejected'): void {
    const told = reason === 'unavailable' ? 'try again later' : detail;
    const status = reason === 'conflict' ? 'NetStream.Publish.BadName' : code;
    this.rtmp.sendStatusMessage(this.rtmp.streamId, 'error', status, `publish refused (${reason}): ${told}`);
    this.hangUp(undefined);
  }

  private hangUp(endReason: string | undefined): void {
    if (endReason !== undefined) {
      this.endReason ??= endReason;
      this.endPublisher(endReason);
    }
    this.state = 'closing';
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    this.lingerTimer.unref();
  }

  private write(bytes: Buffer): void {
    if (this.socket.writable) this.socket.write(bytes);
  }

  private onClose(): void {
    const was = this.state;
    this.state = 'closed';
    clearTimeout(this.idleTimer);
    clearTimeout(this.lingerTimer);
    this.held = [];
    if (this.publisher !== undefined) {
      this.endPublisher(this.endReason ?? DISCONNECTED);
      this.settings.log.info(
        { peer: this.peer, route: this.route, reason: this.endReason ?? DISCONNECTED, was },
        'rtmp publisher ended',
      );
    }
    this.settings.closed(this);
  }

  private endPublisher(reason: string): void {
    if (this.publisher === undefined || this.publisherEnded) return;
    this.publisherEnded = true;
    this.publisher.end(reason);
  }
}
