import { ERROR_HISTORY_LIMIT, type InputTimings, resolveTimings } from './timings.js';
import type {
  FailoverEffect,
  FailoverEventPayloads,
  FailoverEventType,
  FailoverState,
  InputState,
  ReaderRole,
  ReaderState,
} from './types.js';

/** Everything one step produces besides the next state. */
export interface StepContext {
  now: number;
  effects: FailoverEffect[];
  /** Something the failover view shows changed even if no effect says so. */
  dirty: boolean;
}

export function newContext(now: number): StepContext {
  return { now, effects: [], dirty: false };
}

export function emit<K extends FailoverEventType>(
  ctx: StepContext,
  event: K,
  payload: FailoverEventPayloads[K],
): void {
  ctx.effects.push({ type: 'emit', event, payload } as FailoverEffect);
}

export function inputById(s: FailoverState, id: number | null): InputState | undefined {
  return id === null ? undefined : s.inputs.find((input) => input.id === id);
}

/** The input's current priority, or -1 once it was removed. */
export function priorityOf(s: FailoverState, inputId: number | null): number {
  return inputId === null ? -1 : s.inputs.findIndex((input) => input.id === inputId);
}

export function readerById(s: FailoverState, id: number | null): ReaderState | undefined {
  return id === null ? undefined : s.readers.find((reader) => reader.id === id);
}

export function readersOf(s: FailoverState, inputId: number): ReaderState[] {
  return s.readers.filter((reader) => reader.inputId === inputId);
}

export function timingsOf(s: FailoverState, input: InputState): InputTimings {
  return resolveTimings(input.spec.protocol, s.overrides, input.targetDurationMs);
}

export function startReader(
  s: FailoverState,
  ctx: StepContext,
  input: InputState,
  role: ReaderRole,
): ReaderState {
  const reader: ReaderState = {
    id: s.nextReaderId++,
    inputId: input.id,
    role,
    startedAt: ctx.now,
    openedAt: null,
    lastPacketAt: null,
  };
  s.readers.push(reader);
  ctx.effects.push({
    type: 'startReader',
    readerId: reader.id,
    priority: priorityOf(s, input.id),
    configHash: input.spec.configHash,
    role,
  });
  return reader;
}

/** Forgets the reader and tells the shell to close it; the publishing slot is cleared with it. */
export function stopReader(s: FailoverState, ctx: StepContext, readerId: number): void {
  const index = s.readers.findIndex((reader) => reader.id === readerId);
  if (index < 0) return;
  s.readers.splice(index, 1);
  if (s.publishingReaderId === readerId) s.publishingReaderId = null;
  if (s.pending?.readerId === readerId) s.pending = null;
  ctx.effects.push({ type: 'stopReader', readerId });
}

export function recordError(
  s: FailoverState,
  ctx: StepContext,
  input: InputState,
  message: string,
  permanent: boolean,
): void {
  input.errors.unshift({ message, at: ctx.now });
  input.errors.length = Math.min(input.errors.length, ERROR_HISTORY_LIMIT);
  emit(ctx, 'input.error', { priority: priorityOf(s, input.id), message, permanent });
}

/**
 * Takes the input out of rotation until it delivers again. A manual override on it ends here.
 * Its readers are left to the caller: a timed-out active reader may keep publishing meanwhile.
 */
export function degrade(s: FailoverState, ctx: StepContext, input: InputState, reason: string): void {
  if (input.health === 'degraded') return;
  input.health = 'degraded';
  input.degradedAt = ctx.now;
  input.nextProbeAt = ctx.now + timingsOf(s, input).probeAfterMs;
  if (s.overrideInputId === input.id) s.overrideInputId = null;
  emit(ctx, 'input.degraded', { priority: priorityOf(s, input.id), reason });
}

/** Marks a degraded input healthy again (it is not active yet; the caller decides that). */
export function markRecovered(s: FailoverState, ctx: StepContext, input: InputState): void {
  input.health = 'standby';
  input.degradedAt = null;
  input.nextProbeAt = null;
  emit(ctx, 'input.recovered', { priority: priorityOf(s, input.id), wasExhausted: s.exhausted });
}

/**
 * The input that should be published: the manual override if it is not degraded, else the
 * lowest-priority input that is not degraded (the healthy active one included).
 */
export function selectBest(s: FailoverState): InputState | undefined {
  const override = inputById(s, s.overrideInputId);
  if (override !== undefined && override.health !== 'degraded') return override;
  return s.inputs.find((input) => input.health !== 'degraded');
}

/** The published input when it is delivering; undefined while nothing healthy is published. */
export function healthyActive(s: FailoverState): InputState | undefined {
  const reader = readerById(s, s.publishingReaderId);
  const input = inputById(s, reader?.inputId ?? null);
  return input?.health === 'active' ? input : undefined;
}
