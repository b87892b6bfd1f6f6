import {
  degrade,
  emit,
  healthyActive,
  inputById,
  priorityOf,
  readerById,
  recordError,
  type StepContext,
  selectBest,
  startReader,
  stopReader,
} from './model.js';
import { SWITCH_HISTORY_LIMIT } from './timings.js';
import type { FailoverState, InputState, PromoteCause, ReaderState, SessionKind } from './types.js';

export interface SwitchIntent {
  cause: PromoteCause;
  detail: string;
  /** Priority published when the switch began; -1 if none. */
  from: number;
  /** Switch to this input; by default the best one (manual override, else lowest priority). */
  target?: InputState;
}

/**
 * Make-before-break, first half: opens a candidate for the target while the current reader (if
 * it still has one) keeps publishing. With nothing eligible the stream is exhausted.
 */
export function beginSwitch(s: FailoverState, ctx: StepContext, intent: SwitchIntent): void {
  const target = intent.target ?? selectBest(s);
  const candidate = readerById(s, s.pending?.readerId ?? null);
  if (candidate !== undefined && candidate.inputId === target?.id && s.pending !== null) {
    s.pending = { ...s.pending, cause: intent.cause, detail: intent.detail, from: intent.from };
    return;
  }
  if (candidate !== undefined) stopReader(s, ctx, candidate.id);
  if (target === undefined) {
    enterExhausted(s, ctx);
    return;
  }
  if (target === healthyActive(s)) return;
  const reader = startReader(s, ctx, target, 'candidate');
  s.pending = {
    readerId: reader.id,
    inputId: target.id,
    cause: intent.cause,
    detail: intent.detail,
    from: intent.from,
  };
}

function enterExhausted(s: FailoverState, ctx: StepContext): void {
  const publishing = readerById(s, s.publishingReaderId);
  // A removed input is published only as the bridge to its successor; with none, it goes now.
  if (publishing !== undefined && inputById(s, publishing.inputId) === undefined) {
    stopReader(s, ctx, publishing.id);
  }
  if (s.exhausted) return;
  s.exhausted = true;
  emit(ctx, 'input.exhausted', { lastActive: priorityOf(s, s.activeInputId) });
}

function sessionKind(cause: PromoteCause): SessionKind {
  if (cause === 'initial') return 'fresh';
  return cause === 'input_updated' ? 'reconnect' : 'failover';
}

/**
 * Make-before-break, second half: `reader` has delivered media, so it becomes the published
 * reader and the previous one is closed right after. The first activation is always `initial`.
 */
export function commitSwitch(
  s: FailoverState,
  ctx: StepContext,
  reader: ReaderState,
  intent: Omit<SwitchIntent, 'target'>,
): void {
  const input = inputById(s, reader.inputId);
  if (input === undefined) return;
  if (s.pending !== null && s.pending.readerId !== reader.id) stopReader(s, ctx, s.pending.readerId);
  s.pending = null;
  const first = s.lastSwitchAt === null && intent.cause !== 'input_updated';
  const cause: PromoteCause = first ? 'initial' : intent.cause;
  const to = priorityOf(s, input.id);
  const previousReaderId = s.publishingReaderId;
  const previous = inputById(s, s.activeInputId);

  ctx.effects.push({
    type: 'promote',
    readerId: reader.id,
    priority: to,
    cause,
    session: sessionKind(cause),
  });
  if (previousReaderId !== null && previousReaderId !== reader.id) stopReader(s, ctx, previousReaderId);
  if (previous !== undefined && previous !== input && previous.health === 'active')
    previous.health = 'standby';

  reader.role = 'active';
  reader.lastPacketAt = ctx.now;
  input.health = 'active';
  input.lastPacketAt = ctx.now;
  s.publishingReaderId = reader.id;
  s.activeInputId = input.id;
  s.exhausted = false;
  if (cause === 'input_updated') return;

  const record = { at: ctx.now, from: first ? -1 : intent.from, to, reason: cause, detail: intent.detail };
  s.switches.unshift(record);
  s.switches.length = Math.min(s.switches.length, SWITCH_HISTORY_LIMIT);
  s.lastSwitchAt = ctx.now;
  emit(ctx, 'input.failover', { from: record.from, to, reason: cause, detail: record.detail });
}

/** Causes that still hold after the candidate failed; the others were about that candidate itself. */
const RETRY_KEEPS_CAUSE: ReadonlySet<PromoteCause> = new Set([
  'initial',
  'error',
  'timeout',
  'input_removed',
]);

/** The candidate did not deliver in time or gave up: degrade it and try the next input. */
export function failCandidate(s: FailoverState, ctx: StepContext, message: string, record: boolean): void {
  const pending = s.pending;
  const reader = readerById(s, pending?.readerId ?? null);
  if (pending === null || reader === undefined) return;
  const input = inputById(s, reader.inputId);
  stopReader(s, ctx, reader.id);
  if (input !== undefined) {
    if (record) recordError(s, ctx, input, message, false);
    degrade(s, ctx, input, message);
  }
  const keep = RETRY_KEEPS_CAUSE.has(pending.cause);
  beginSwitch(s, ctx, {
    cause: keep ? pending.cause : 'error',
    detail: keep ? pending.detail : message,
    from: pending.from,
  });
}
