import { healthyActive, inputById, priorityOf, readerById, readersOf } from './model.js';
import type { FailoverState, InputState, PromoteCause, SwitchReason } from './types.js';

/**
 * How an input looks from outside: `connecting` while a candidate is opened for it, `probing`
 * while a degraded input is being tested, otherwise its health.
 */
export type InputStatusState = 'standby' | 'connecting' | 'active' | 'degraded' | 'probing';

export interface InputFailoverStatus {
  priority: number;
  state: InputStatusState;
  /** ISO 8601; null before any media. */
  lastPacketTime: string | null;
  degradedSince: string | null;
  nextProbeAt: string | null;
  errors: { message: string; at: string }[];
}

export interface FailoverStatus {
  /** Priority of the input being published (or, while nothing is, of the last one); null before any. */
  activeInput: number | null;
  /** Whether that input is delivering right now. */
  live: boolean;
  overrideInput: number | null;
  exhausted: boolean;
  switching: { to: number; cause: PromoteCause; since: string } | null;
  inputs: InputFailoverStatus[];
  switches: { at: string; from: number; to: number; reason: SwitchReason; detail: string }[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function inputState(s: FailoverState, input: InputState): InputStatusState {
  const roles = new Set(readersOf(s, input.id).map((reader) => reader.role));
  if (input.health === 'degraded') return roles.has('probe') ? 'probing' : 'degraded';
  if (input.health === 'active') return 'active';
  return roles.has('candidate') ? 'connecting' : 'standby';
}

/** The failover part of the `.status` snapshot (tracks and bitrates are merged in by the shell). */
export function failoverStatus(s: FailoverState): FailoverStatus {
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
