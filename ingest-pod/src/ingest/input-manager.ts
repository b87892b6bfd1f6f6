import type { IngestInput } from '@tributary/crds';
import type { AVPacket } from '../avpacket.js';
import type { FailoverView } from '../failover/failover-view.js';
import { FailoverMachine } from '../failover/machine.js';
import { MONITOR_TICK_MS, resolveTimings } from '../failover/timings.js';
import type {
  ControlReply,
  FailoverEvent,
  FailoverInputSpec,
  FailoverOverrides,
  ReaderRole,
} from '../failover/types.js';
import type { PacketBatch } from '../input-loop/input-loop-api.js';
import { clampTimerMs } from '../limits.js';
import type { MediaTracker } from '../media-stats/media-tracker.js';
import type { Logger } from '../observability/logger.js';
import type { IngestMetrics } from '../observability/metrics.js';
import type { SecretRedactor } from '../observability/secret-redactor.js';
import type { CreateReader, InputReader, ReaderContext } from '../reader/reader-api.js';
import type { LiveChange } from './control-handler.js';
import type { FailoverMetrics } from './failover-metrics.js';
import { PublishSession, sessionIds } from './publish-session.js';
import { reportReaderEvent } from './reader-event-report.js';
import { type ReaderReports, type RunningReader, runReader } from './reader-runner.js';
import { type Env, type ResolvedInput, resolveInput } from './resolve-input.js';
import { canStartFrom } from './start-gate.js';

/** How a batch is published: which input it came from and which session it belongs to. */
export interface PublishMeta {
  priority: number | null;
  sessionId: number;
  sessionStart: boolean;
}

export interface InputManagerOptions {
  inputs: readonly IngestInput[];
  env: Env;
  overrides: FailoverOverrides;
  createReader: CreateReader;
  context: ReaderContext;
  publish(packets: AVPacket[], meta: PublishMeta): void;
  emit(type: string, payload: Record<string, unknown>): void;
  failoverChanged(view: FailoverView): void;
  /** Where the readers' tracks, unknown streams and link statistics are measured. */
  media: Pick<
    MediaTracker,
    'setTracks' | 'recordUnknownStream' | 'clearTracks' | 'setInputCount' | 'setLink'
  >;
  metrics: IngestMetrics;
  failoverMetrics: FailoverMetrics;
  log: Logger;
  /** Where each input's secret values are registered as it is resolved, to be masked on the way out. */
  secrets?: SecretRedactor;
  /** Epoch ms that never go back; default performance.timeOrigin + performance.now(). */
  clock?: () => number;
}

interface Slot {
  running: RunningReader;
  /** The source it holds (a UDP port binds once): a new reader of it opens after this one closed. */
  url: string;
  session: PublishSession;
  /** performance.now() of the last copy of the reader's counters into the metrics. */
  syncedAt: number;
}

/** Reader counters and link statistics reach the metrics and status this often, not per batch. */
const COUNTER_SYNC_MS = 1000;

/** Slack after the packet timeout, so the deadline tick finds the gap complete. */
const DEADLINE_SLACK_MS = 5;

const monotonicClock = () => performance.timeOrigin + performance.now();

/**
 * The input manager's shell: runs the failover machine's effects (readers in input loops, promotion,
 * events, view changes), feeds it reader reports and a monitor tick, and publishes the packets of the
 * one reader the machine allows, each newly published reader starting a session at a keyframe.
 */
export class InputManager {
  readonly #o: InputManagerOptions;
  readonly #machine: FailoverMachine;
  readonly #slots = new Map<number, Slot>();
  readonly #closing = new Map<string, Promise<void>>();
  readonly #releases = new Set<Promise<void>>();
  readonly #queue: FailoverEvent[] = [];
  #busy = false;
  #configInputs: IngestInput[];
  #overrides: FailoverOverrides;
  #resolved: ResolvedInput[];
  #publishingId: number | null = null;
  readonly #nextSessionId = sessionIds();
  #tick: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #deadlineMs = 0;
  #packetTimeoutMs = 0;

  constructor(options: InputManagerOptions) {
    this.#o = options;
    this.#configInputs = [...options.inputs];
    this.#overrides = { ...options.overrides };
    this.#resolved = this.#configInputs.map((input, i) =>
      resolveInput(input, i, options.env, options.secrets),
    );
    this.#machine = new FailoverMachine({
      inputs: this.#resolved.map(specOf),
      overrides: options.overrides,
      clock: options.clock ?? monotonicClock,
      handlers: {
        startReader: (effect) => this.#startReader(effect.readerId, effect.priority, effect.role),
        stopReader: (readerId) => this.#stopReader(readerId),
        promote: (effect) => {
          const slot = this.#slots.get(effect.readerId);
          if (slot === undefined) return;
          slot.session.promoted(this.#publishingId !== effect.readerId);
          this.#publishingId = effect.readerId;
          options.log.info({ input: effect.priority, cause: effect.cause }, 'publishing input');
        },
        emit: (event, payload) => {
          options.failoverMetrics.count(event, payload);
          options.emit(event, payload);
        },
        viewChanged: (view) => {
          this.#packetTimeoutMs = this.#activePacketTimeout();
          options.failoverMetrics.observe(view);
          options.failoverChanged(view);
        },
      },
    });
  }

  get inputs(): readonly IngestInput[] {
    return this.#configInputs;
  }

  /** Redacted URLs, by priority. */
  get urls(): string[] {
    return this.#resolved.map((input) => input.shownUrl);
  }

  failoverView(): FailoverView {
    return this.#machine.view();
  }

  /** The published input and how long it may stay silent (for readiness). */
  active(): { priority: number | null; packetTimeoutMs: number } {
    return { priority: this.#machine.view().activeInput, packetTimeoutMs: this.#packetTimeoutMs };
  }

  start(): void {
    this.#tick = setInterval(() => this.#dispatch({ type: 'tick' }), MONITOR_TICK_MS);
    this.#dispatch({ type: 'start' });
  }

  async stop(): Promise<void> {
    clearInterval(this.#tick);
    clearTimeout(this.#deadline);
    this.#dispatch({ type: 'stop' });
    await Promise.all(this.#releases);
  }

  switchTo(priority: number): ControlReply {
    return (
      this.#dispatch({ type: 'manualSwitch', priority }) ?? {
        ok: false,
        error: 'invalid_request',
        message: 'busy; try again',
      }
    );
  }

  /**
   * A live configuration (the whole desired state): unchanged inputs keep their readers, whatever
   * their new priority; a changed published input is replaced make-before-break. Applying the
   * configuration that already runs changes nothing.
   */
  configure(inputs: readonly IngestInput[], overrides: FailoverOverrides): LiveChange {
    const before = this.#resolved;
    const resolved = inputs.map((input, i) => resolveInput(input, i, this.#o.env, this.#o.secrets));
    const inputsChanged =
      resolved.length !== before.length ||
      resolved.some((input, i) => before[i]?.configHash !== input.configHash);
    const failoverChanged = !sameOverrides(this.#overrides, overrides);
    this.#configInputs = [...inputs];
    if (failoverChanged) {
      this.#overrides = { ...overrides };
      this.#dispatch({ type: 'overridesChanged', overrides: this.#overrides });
    }
    if (inputsChanged) {
      this.#resolved = resolved;
      this.#o.media.setInputCount(inputs.length);
      resolved.forEach((input, i) => {
        if (before[i]?.configHash !== input.configHash) this.#o.media.clearTracks(i);
      });
      this.#dispatch({ type: 'inputsChanged', inputs: resolved.map(specOf) });
    }
    return { inputs: inputsChanged, failover: failoverChanged };
  }

  /** Effects must not dispatch; reports that arrive while one runs are queued behind it. */
  #dispatch(event: FailoverEvent): ControlReply | undefined {
    if (this.#busy) {
      this.#queue.push(event);
      return undefined;
    }
    this.#busy = true;
    try {
      const reply = this.#machine.dispatch(event);
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        this.#machine.dispatch(next);
      }
      return reply;
    } finally {
      this.#busy = false;
    }
  }

  #reader(readerId: number) {
    return this.#machine.state.readers.find((reader) => reader.id === readerId);
  }

  /** The current priority of the reader's input; -1 once it was removed (or the reader is gone). */
  #priorityOf(readerId: number): number {
    const inputId = this.#reader(readerId)?.inputId;
    return this.#machine.state.inputs.findIndex((input) => input.id === inputId);
  }

  #activePacketTimeout(): number {
    const state = this.#machine.state;
    const input = state.inputs.find((i) => i.id === state.activeInputId) ?? state.inputs[0];
    if (input === undefined) return 0;
    return resolveTimings(input.spec.protocol, state.overrides, input.targetDurationMs).packetTimeoutMs;
  }

  #startReader(readerId: number, priority: number, role: ReaderRole): void {
    const input = this.#resolved[priority];
    if (input === undefined) return;
    this.#o.log.info({ input: priority, reader: readerId, role }, 'opening input');
    const url = input.reader.url;
    const after = this.#closing.get(url);
    const running = runReader({
      input,
      createReader: this.#o.createReader,
      context: this.#o.context,
      nextSessionId: this.#nextSessionId,
      ...(after !== undefined ? { after } : {}),
      reports: this.#reportsOf(readerId),
    });
    this.#slots.set(readerId, {
      url,
      running,
      session: new PublishSession(this.#nextSessionId),
      syncedAt: Number.NEGATIVE_INFINITY,
    });
  }

  #stopReader(readerId: number): void {
    const slot = this.#slots.get(readerId);
    if (slot === undefined) return;
    const priority = this.#priorityOf(readerId);
    if (priority >= 0) this.#o.media.setLink(priority, undefined);
    this.#slots.delete(readerId);
    if (this.#publishingId === readerId) this.#publishingId = null;
    const previous = this.#closing.get(slot.url);
    const release: Promise<void> = Promise.all([previous, slot.running.stop().catch(() => undefined)]).then(
      () => {
        if (this.#closing.get(slot.url) === release) this.#closing.delete(slot.url);
        this.#releases.delete(release);
      },
    );
    this.#closing.set(slot.url, release);
    this.#releases.add(release);
  }

  #reportsOf(readerId: number): ReaderReports {
    const { log, metrics } = this.#o;
    const inputOf = () => this.#priorityOf(readerId);
    return {
      opened: (pusher) =>
        this.#dispatch({
          type: 'readerOpened',
          readerId,
          ...(pusher !== undefined && { pusher: { ...pusher } }),
        }),
      batch: (batch, reader) => this.#onBatch(readerId, batch, reader),
      error: (message, permanent) => this.#dispatch({ type: 'readerError', readerId, message, permanent }),
      reconnecting: (error, attempt, delayMs) => {
        const input = inputOf();
        metrics.reconnects.inc({ input: String(input) });
        log.warn({ input, reader: readerId, error, attempt, delayMs }, 'input reconnecting');
        if (this.#reader(readerId)?.role !== 'probe') {
          this.#o.emit('input.reconnecting', { priority: input, error, attempt, delayMs });
        }
      },
      stalled: (silentMs) => {
        const input = inputOf();
        metrics.stalls.inc({ input: String(input) });
        log.warn({ input, reader: readerId, silentMs }, 'input stalled');
      },
      readerEvent: (event) => {
        const input = inputOf();
        if (input < 0) return;
        if (event.type === 'target-duration') {
          this.#dispatch({ type: 'targetDuration', readerId, ms: event.ms });
          return;
        }
        if (event.type === 'source-absent') {
          log.info({ input, reader: readerId, reason: event.reason }, 'input has no source');
          this.#dispatch({ type: 'sourceAbsent', readerId, message: event.reason, left: event.left });
          return;
        }
        reportReaderEvent(event, input, this.#o.media, log);
      },
    };
  }

  #onBatch(readerId: number, batch: PacketBatch, reader: InputReader): void {
    const slot = this.#slots.get(readerId);
    const role = this.#reader(readerId)?.role;
    if (slot === undefined || role === undefined) return;
    const priority = this.#priorityOf(readerId);
    const now = performance.now();
    if (priority >= 0 && now - slot.syncedAt >= COUNTER_SYNC_MS) {
      slot.syncedAt = now;
      this.#o.metrics.syncReader(priority, reader);
      if (reader.linkStats !== undefined) {
        this.#o.metrics.syncLink(priority, reader);
        this.#o.media.setLink(priority, reader.linkStats);
      }
    }
    if (role === 'active' || canStartFrom(batch.packets, reader.tracks)) {
      this.#dispatch({ type: 'packet', readerId });
    }
    if (!this.#machine.shouldPublish(readerId)) return;
    this.#armDeadline();
    const admitted = slot.session.admit(batch, reader.tracks);
    if (admitted === undefined) return;
    this.#o.publish(admitted.packets, {
      priority: priority >= 0 ? priority : null,
      sessionId: admitted.sessionId,
      sessionStart: admitted.sessionStart,
    });
  }

  /** A tick right when the published input's packet timeout runs out, not up to a tick later. */
  #armDeadline(): void {
    const ms = this.#packetTimeoutMs + DEADLINE_SLACK_MS;
    if (this.#deadline !== undefined && this.#deadlineMs === ms) {
      this.#deadline.refresh();
      return;
    }
    clearTimeout(this.#deadline);
    this.#deadlineMs = ms;
    this.#deadline = setTimeout(() => this.#dispatch({ type: 'tick' }), clampTimerMs(ms));
    this.#deadline.unref();
  }
}

function specOf(input: ResolvedInput): FailoverInputSpec {
  return {
    protocol: input.protocol,
    configHash: input.configHash,
    source: input.reader.url.split(/[?#]/)[0] ?? input.reader.url,
    ...(input.push && { push: true }),
  };
}

const OVERRIDE_KEYS = ['packetTimeoutMs', 'probeAfterMs', 'probeTimeoutMs', 'failbackHoldDownMs'] as const;

function sameOverrides(a: FailoverOverrides, b: FailoverOverrides): boolean {
  return OVERRIDE_KEYS.every((key) => a[key] === b[key]);
}
