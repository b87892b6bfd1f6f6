import { healthyActive, inputById, priorityOf, readerById, readersOf } from './model.js';
import type { FailoverState, InputState, PromoteCause, SwitchReason } from './types.js';

/**
 * How an input looks from outside: `connecting` while a candidate is opened for it, `probing`
 * while a degraded input is being tested, otherwise its health.
 */
export type InputViewState = 'standby' | 'connecting' | 'active' | 'degraded' | 'probing';

export interface ErrorView {
  message: string;
  /** ISO 8601. */
  at: string;
}

export interface SwitchView {
  /** ISO 8601. */
  at: string;
  /** -1 for the first activation. */
  from: number;
  to: number;
  reason: SwitchReason;
  detail: string;
}

/** A promotion under way: the candidate reader opened for input `to`. */
export interface SwitchingView {
  to: number;
  cause: PromoteCause;
  /** ISO 8601. */
  since: string;
}

export interface InputView {
  priority: number;
  state: InputViewState;
  /** ISO 8601; null before any media. */
  lastPacketTime: string | null;
  degradedSince: string | null;
  nextProbeAt: string | null;
  /** Newest first. */
  errors: ErrorView[];
}

export interface FailoverView {
  /** Priority of the input being published (or, while nothing is, of the last one); null before any. */
  activeInput: number | null;
  /** Whether that input is delivering right now. */
  live: boolean;
  overrideInput: number | null;
  exhausted: boolean;
  switching: SwitchingView | null;
  inputs: InputView[];
  /** Newest first. */
  switches: SwitchView[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function inputState(s: FailoverState, input: InputState): InputViewState {
  const roles = new Set(readersOf(s, input.id).map((reader) => reader.role));
  if (input.health === 'degraded') return roles.has('probe') ? 'probing' : 'degraded';
  if (input.health === 'active') return 'active';
  return roles.has('candidate') ? 'connecting' : 'standby';
}

/** The failover state as the outside sees it: priorities instead of ids, ISO times. */
export function failoverView(s: FailoverState): FailoverView {
  const active = priorityOf(s, s.activeInputId);
  const candidate = readerById(s, s.pending?.readerId ?? null);
  const override = priorityOf(s, s.overrideInputId);
  return {
    activeInput: active < 0 ? null : active,
    live: healthyActive(s) !== undefined,
    overrideInput: override < 0 ? null : override,
    exhausted: s.exhausted,
    switching:
      s.pending === null || candidate === undefined || inputById(s, candidate.inputId) === undefined
        ? null
        : { to: priorityOf(s, candidate.inputId), cause: s.pending.cause, since: iso(candidate.startedAt)! },
    inputs: s.inputs.map((input, priority) => ({
      priority,
      state: inputState(s, input),
      lastPacketTime: iso(input.lastPacketAt),
      degradedSince: iso(input.degradedAt),
      nextProbeAt: input.health === 'degraded' ? iso(input.nextProbeAt) : null,
      errors: input.errors.map((entry) => ({ message: entry.message, at: iso(entry.at)! })),
    })),
    switches: s.switches.map((record) => ({ ...record, at: iso(record.at)! })),
  };
}
