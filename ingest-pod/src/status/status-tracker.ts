import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { InputHealth } from '../failover/types.js';
import type { LinkStats } from '../reader/reader-api.js';
import { trackKind } from '../timeline/track-kind.js';
import { SlidingRate } from './sliding-rate.js';
import type {
  ErrorStatus,
  InputStatus,
  LinkStatus,
  StreamStatusSnapshot,
  SwitchStatus,
  TrackStatus,
  UnknownStreamStatus,
} from './status-types.js';

export const ERROR_HISTORY = 5;
export const SWITCH_HISTORY = 20;

export interface StatusTrackerOptions {
  stream: { namespace: string; name: string };
  inputCount: number;
  now?: () => number;
  /** Trailing window of the bitrates. */
  bitrateWindowMs?: number;
}

export interface SwitchEntry {
  /** Epoch ms. */
  at: number;
  from: number;
  to: number;
  reason: string;
  detail?: string;
}

interface TrackRecord {
  info: TrackInfo;
  rate: SlidingRate;
}

interface InputRecord {
  state: InputHealth;
  lastPacketAt: number | null;
  tracks: Map<number, TrackRecord>;
  unknownStreams: Map<number, UnknownStreamStatus>;
  errors: { message: string; at: number }[];
  link: LinkStatus | undefined;
}

/**
 * What the status snapshot reports, accumulated from the readers (packets, tracks), the failover
 * manager (states, errors, switches, active input) and a clock. Pure: no timers, no I/O.
 */
export class StatusTracker {
  private readonly now: () => number;
  private readonly windowMs: number;
  private inputs: InputRecord[] = [];
  private activeInput: number | null = null;
  private exhausted = false;
  private switches: SwitchEntry[] = [];
  private lastSignature: string | undefined;

  constructor(private readonly options: StatusTrackerOptions) {
    this.now = options.now ?? Date.now;
    this.windowMs = options.bitrateWindowMs ?? 5000;
    this.setInputCount(options.inputCount);
  }

  /** After a live edit of the inputs: keeps what is known about the priorities that remain. */
  setInputCount(count: number): void {
    this.inputs = Array.from({ length: count }, (_, priority) => this.inputs[priority] ?? newInput());
    if (this.activeInput !== null && this.activeInput >= count) this.activeInput = null;
  }

  recordPackets(priority: number, packets: readonly AVPacket[]): void {
    const input = this.inputs[priority];
    if (!input || packets.length === 0) return;
    const now = this.now();
    input.lastPacketAt = now;
    for (const packet of packets) {
      let track = input.tracks.get(packet.trackId);
      if (!track || track.info.codec !== packet.codec) {
        track = {
          info: { trackId: packet.trackId, codec: packet.codec },
          rate: new SlidingRate(this.windowMs),
        };
        input.tracks.set(packet.trackId, track);
      }
      track.rate.add(now, packet.data.length);
    }
  }

  /** What a reader learned about its tracks (resolution, sample rate, channels). */
  setTracks(priority: number, tracks: readonly TrackInfo[]): void {
    const input = this.inputs[priority];
    if (!input) return;
    for (const info of tracks) {
      const known = input.tracks.get(info.trackId);
      if (known && known.info.codec === info.codec) known.info = { ...info };
      else input.tracks.set(info.trackId, { info: { ...info }, rate: new SlidingRate(this.windowMs) });
    }
  }

  /** Forgets an input's tracks and unknown streams, e.g. when it reconnects to a different source. */
  clearTracks(priority: number): void {
    const input = this.inputs[priority];
    input?.tracks.clear();
    input?.unknownStreams.clear();
    if (input) input.link = undefined;
  }

  /** The transport's link statistics (SRT), or undefined once the input has no open link. */
  setLink(priority: number, stats: Readonly<LinkStats> | undefined): void {
    const input = this.inputs[priority];
    if (input) input.link = stats === undefined ? undefined : linkStatus(stats);
  }

  recordUnknownStream(priority: number, stream: UnknownStreamStatus): void {
    this.inputs[priority]?.unknownStreams.set(stream.pid, { ...stream });
  }

  setInputState(priority: number, state: InputHealth): void {
    const input = this.inputs[priority];
    if (input) input.state = state;
  }

  recordError(priority: number, message: string, at = this.now()): void {
    const input = this.inputs[priority];
    if (!input) return;
    input.errors.unshift({ message, at });
    input.errors.length = Math.min(input.errors.length, ERROR_HISTORY);
  }

  clearErrors(priority: number): void {
    const input = this.inputs[priority];
    if (input) input.errors = [];
  }

  setActiveInput(priority: number | null): void {
    this.activeInput = priority !== null && this.inputs[priority] ? priority : null;
  }

  setExhausted(exhausted: boolean): void {
    this.exhausted = exhausted;
  }

  recordSwitch(entry: SwitchEntry): void {
    this.switches.unshift({ ...entry });
    this.switches.length = Math.min(this.switches.length, SWITCH_HISTORY);
  }

  lastPacketAt(priority: number): number | null {
    return this.inputs[priority]?.lastPacketAt ?? null;
  }

  /** The status document; also remembered as the baseline for `changed()`. */
  snapshot(): StreamStatusSnapshot {
    const now = this.now();
    const snapshot: StreamStatusSnapshot = {
      stream: { ...this.options.stream },
      at: iso(now),
      activeInput: this.activeInput,
      exhausted: this.exhausted,
      inputs: this.inputs.map((input, priority) => inputStatus(input, priority, now)),
      switches: this.switches.map(switchStatus),
    };
    this.lastSignature = signature(snapshot);
    return snapshot;
  }

  /**
   * Whether anything meaningful changed since the last snapshot: states, active input, tracks,
   * errors, switches, an input starting or stopping to deliver. Bitrate wobble and packet times
   * are left to the periodic publication.
   */
  changed(): boolean {
    const now = this.now();
    const current: StreamStatusSnapshot = {
      stream: this.options.stream,
      at: '',
      activeInput: this.activeInput,
      exhausted: this.exhausted,
      inputs: this.inputs.map((input, priority) => inputStatus(input, priority, now)),
      switches: this.switches.map(switchStatus),
    };
    return signature(current) !== this.lastSignature;
  }
}

function newInput(): InputRecord {
  return {
    state: 'standby',
    lastPacketAt: null,
    tracks: new Map(),
    unknownStreams: new Map(),
    errors: [],
    link: undefined,
  };
}

const whole = (n: number) => (Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0);

function linkStatus(stats: Readonly<LinkStats>): LinkStatus {
  return {
    rttMs: whole(stats.rttMs),
    latencyMs: whole(stats.latencyMs),
    bandwidthKbps: whole(stats.bandwidthMbps * 1000),
    receiveRateKbps: whole(stats.receiveRateMbps * 1000),
    receiveBufferMs: whole(stats.receiveBufferMs),
    packetsReceived: whole(stats.packetsReceived),
    packetsLost: whole(stats.packetsLost),
    packetsRetransmitted: whole(stats.packetsRetransmitted),
    packetsDropped: whole(stats.packetsDropped),
  };
}

function inputStatus(input: InputRecord, priority: number, now: number): InputStatus {
  const tracks = [...input.tracks.values()]
    .map(
      (track): TrackStatus => ({
        ...track.info,
        kind: trackKind(track.info.codec),
        bitrateKbps: track.rate.kbps(now),
      }),
    )
    .sort((a, b) => a.trackId - b.trackId);
  const status: InputStatus = {
    priority,
    state: input.state,
    lastPacketTime: input.lastPacketAt === null ? null : iso(input.lastPacketAt),
    bitrateKbps: tracks.reduce((sum, track) => sum + track.bitrateKbps, 0),
    tracks,
    unknownStreams: [...input.unknownStreams.values()].sort((a, b) => a.pid - b.pid),
    errors: input.errors.map((error): ErrorStatus => ({ message: error.message, at: iso(error.at) })),
  };
  if (input.link !== undefined) status.link = { ...input.link };
  return status;
}

function switchStatus(entry: SwitchEntry): SwitchStatus {
  return {
    at: iso(entry.at),
    from: entry.from,
    to: entry.to,
    reason: entry.reason,
    detail: entry.detail ?? '',
  };
}

/** The parts of a snapshot whose change is worth publishing at once. */
function signature(snapshot: StreamStatusSnapshot): string {
  return JSON.stringify([
    snapshot.activeInput,
    snapshot.exhausted,
    snapshot.inputs.map((input) => [
      input.state,
      input.bitrateKbps > 0,
      input.tracks.map((t) => [t.trackId, t.codec, t.width, t.height, t.sampleRate, t.channels]),
      input.unknownStreams,
      input.errors,
    ]),
    snapshot.switches,
  ]);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
