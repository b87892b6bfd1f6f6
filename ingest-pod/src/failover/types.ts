/**
 * Types of the input manager's failover state machine: what the shell feeds in, what it gets back,
 * and the state in between. The machine is pure; the shell owns the readers, the clock and NATS.
 */

import type { InputKind } from '@tributary/crds';

/** The input's kind as the URL grammar classifies it; it picks the default timings. */
export type InputProtocol = InputKind;

/** One input as the machine sees it. Its priority is its index in the list handed over. */
export interface FailoverInputSpec {
  protocol: InputProtocol;
  /**
   * Identity of the input's configuration: equal hashes mean a running reader can be kept. The
   * shell derives it from everything a reader is built from (URL, params, headers, resolved
   * secret values, program, pids, timeoutSeconds, insecureTLS).
   */
  configHash: string;
  /** A push input: its readers open only once a publisher is there. */
  push?: boolean;
  /**
   * What a reader binds or connects to (the URL without its query). When an updated input's
   * source differs, the old reader can keep publishing until the new one delivers.
   */
  source?: string;
}

/** `spec.failover`, already parsed to milliseconds. Absent fields fall back to the per-protocol defaults. */
export interface FailoverOverrides {
  packetTimeoutMs?: number;
  probeAfterMs?: number;
  probeTimeoutMs?: number;
  failbackHoldDownMs?: number;
}

/** The publisher of a push input as the relay names it. */
export interface PusherIdentity {
  protocol: 'rtmp' | 'srt';
  peer?: string;
}

export type SwitchReason =
  | 'initial'
  | 'error'
  | 'timeout'
  | 'failback'
  | 'recovery'
  | 'manual'
  | 'input_added'
  | 'input_removed';

/** Why a reader is promoted: a switch, or the restart of the active input after its config changed. */
export type PromoteCause = SwitchReason | 'input_updated';

/** How the timeline flags the first packet published after a promotion. */
export type SessionKind = 'fresh' | 'failover' | 'reconnect';

export interface ErrorEntry {
  message: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface SwitchRecord {
  at: number;
  /** Priority published before the switch; -1 for the first activation. */
  from: number;
  to: number;
  reason: SwitchReason;
  detail: string;
}

/**
 * `active`: a reader of this input is the one published and it delivers. `standby`: eligible.
 * `degraded`: failed; not eligible until a probe (or its lingering reader) delivers media again.
 */
export type InputHealth = 'standby' | 'active' | 'degraded';

export interface InputState {
  /** Stable across renumbering; minted by the machine. */
  id: number;
  spec: FailoverInputSpec;
  health: InputHealth;
  /** Epoch ms of the last media seen from any reader of this input. */
  lastPacketAt: number | null;
  degradedAt: number | null;
  /** When a degraded input without a reader is probed next. */
  nextProbeAt: number | null;
  /** Newest first, at most ERROR_HISTORY_LIMIT. */
  errors: ErrorEntry[];
  /** HLS playlist target duration once a reader has seen one. */
  targetDurationMs: number | null;
}

/**
 * `active`: the reader whose packets are published (at most one). `candidate`: opened to take over,
 * not published until promoted. `probe`: health check of a degraded input, never published.
 */
export type ReaderRole = 'active' | 'candidate' | 'probe';

export interface ReaderState {
  id: number;
  inputId: number;
  role: ReaderRole;
  startedAt: number;
  openedAt: number | null;
  lastPacketAt: number | null;
}

/** A switch under way: its candidate reader is open(ing) and not yet delivering. */
export interface PendingSwitch {
  readerId: number;
  inputId: number;
  cause: PromoteCause;
  detail: string;
  /** Priority published when the switch began (-1 if none ever was). */
  from: number;
}

export interface FailoverState {
  overrides: FailoverOverrides;
  /** Index = priority. */
  inputs: InputState[];
  readers: ReaderState[];
  /** The only reader whose packets may be published; the shell drops everything else. */
  publishingReaderId: number | null;
  /** The input published last (its reader may be gone); `from` of the next switch. */
  activeInputId: number | null;
  pending: PendingSwitch | null;
  /** Input chosen by a manual switch; kept until that input degrades. */
  overrideInputId: number | null;
  exhausted: boolean;
  lastSwitchAt: number | null;
  /** Newest first, at most SWITCH_HISTORY_LIMIT. */
  switches: SwitchRecord[];
  started: boolean;
  stopped: boolean;
  nextReaderId: number;
  nextInputId: number;
}

/** What the shell feeds in. `now` travels separately (see `step`). */
export type FailoverEvent =
  | { type: 'start' }
  | { type: 'stop' }
  /** Sent by the shell on a fixed period (MONITOR_TICK_MS). */
  | { type: 'tick' }
  /** `pusher`: who publishes, when the reader serves a push input. */
  | { type: 'readerOpened'; readerId: number; pusher?: PusherIdentity }
  /**
   * Media from a reader. For the active reader send it for every batch; for a candidate or probe
   * send it once the reader delivered something publishing could start from (a video keyframe, or
   * any access unit of an audio-only source).
   */
  | { type: 'packet'; readerId: number }
  /**
   * `permanent`: the reader gave up (end of stream, TLS, DNS, permanent HTTP status, bad config,
   * or the input loop exited for any other reason). Retriable errors are retried in place by the
   * input loop; they are recorded but only the packet timeout acts on them.
   */
  | { type: 'readerError'; readerId: number; message: string; permanent: boolean }
  /**
   * The reader has no source to read (a push input nobody publishes to, or whose publisher `left`)
   * and waits for one. With other inputs this fails it over at once; a sole input waits.
   */
  | { type: 'sourceAbsent'; readerId: number; message: string; left: boolean }
  | { type: 'targetDuration'; readerId: number; ms: number }
  | { type: 'manualSwitch'; priority: number }
  | { type: 'inputsChanged'; inputs: readonly FailoverInputSpec[] }
  | { type: 'overridesChanged'; overrides: FailoverOverrides };

export interface FailoverEventPayloads {
  /** For a push input also the publisher: `protocol`, and `peer` when the session's start was seen. */
  'input.connected': { priority: number; role: ReaderRole } & Partial<PusherIdentity>;
  'input.error': { priority: number; message: string; permanent: boolean };
  'input.degraded': { priority: number; reason: string };
  'input.failover': { from: number; to: number; reason: SwitchReason; detail: string };
  'input.recovered': { priority: number; wasExhausted: boolean };
  /** No input is healthy; `lastActive` is -1 when none ever was. */
  'input.exhausted': { lastActive: number };
}

export type FailoverEventType = keyof FailoverEventPayloads;

export type EmitEffect = {
  [K in FailoverEventType]: { type: 'emit'; event: K; payload: FailoverEventPayloads[K] };
}[FailoverEventType];

/** What the shell executes, in order. */
export type FailoverEffect =
  /** Open a reader for the input at `priority` (whose config has `configHash`) and tag its reports with `readerId`. */
  | { type: 'startReader'; readerId: number; priority: number; configHash: string; role: ReaderRole }
  /** Close the reader; a no-op if its input loop already exited. */
  | { type: 'stopReader'; readerId: number }
  /**
   * From now on publish this reader's packets (and no other's); flag its first published packet
   * as a new session of `session` kind.
   */
  | { type: 'promote'; readerId: number; priority: number; cause: PromoteCause; session: SessionKind }
  | EmitEffect
  /** The failover view changed (beyond last-packet times): publish it. */
  | { type: 'viewChanged' };

export type ControlErrorCode =
  | 'unknown_priority'
  | 'input_degraded'
  | 'stopped'
  | 'invalid_request'
  /** A `configure` older than the configuration the pod runs. */
  | 'stale_generation';

export type ControlReply =
  | { ok: true; message: string }
  | { ok: false; error: ControlErrorCode; message: string };

export interface StepResult {
  state: FailoverState;
  effects: FailoverEffect[];
  /** Set for `manualSwitch`. */
  reply?: ControlReply;
}
