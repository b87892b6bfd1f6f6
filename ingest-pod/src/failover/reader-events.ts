import {
  degrade,
  emit,
  healthyActive,
  inputById,
  markRecovered,
  priorityOf,
  readerById,
  recordError,
  type StepContext,
  selectBest,
  stopReader,
  timingsOf,
} from './model.js';
import { beginSwitch, commitSwitch, failCandidate } from './switching.js';
import type { FailoverState, InputState, PusherIdentity, ReaderState } from './types.js';

/** Cheap check for the hot path: media from the published reader of a healthy input changes only times. */
export function isRoutinePacket(s: FailoverState, readerId: number): boolean {
  if (readerId !== s.publishingReaderId) return false;
  const reader = readerById(s, readerId);
  return inputById(s, reader?.inputId ?? null)?.health === 'active';
}

/** Probes open silently, except a push input's: a publisher connecting is news whatever the role. */
export function onReaderOpened(
  s: FailoverState,
  ctx: StepContext,
  readerId: number,
  pusher?: PusherIdentity,
): void {
  const reader = readerById(s, readerId);
  if (reader === undefined) return;
  reader.openedAt = ctx.now;
  const input = inputById(s, reader.inputId);
  if (input === undefined || (reader.role === 'probe' && pusher === undefined)) return;
  emit(ctx, 'input.connected', { priority: priorityOf(s, input.id), role: reader.role, ...pusher });
}

/**
 * The reader has no source (seed 4.2). With other inputs the input is given up at once: a
 * candidate fails over, a probe fails (quietly, as a timed-out one does), the published reader is
 * closed and the input degraded. A sole input's reader waits for a publisher: nobody there is no
 * news (see checkCandidateDeadline), while its live publisher leaving degrades it and exhausts
 * the stream; the reader stays to pick up the next publisher, which recovers the stream.
 */
export function onSourceAbsent(
  s: FailoverState,
  ctx: StepContext,
  readerId: number,
  message: string,
  left: boolean,
): void {
  const reader = readerById(s, readerId);
  if (reader === undefined) return;
  const input = inputById(s, reader.inputId);
  if (s.inputs.length < 2) {
    if (!left || input?.health !== 'active' || reader.id !== s.publishingReaderId) return;
    recordError(s, ctx, input, message, false);
    degrade(s, ctx, input, message);
    beginSwitch(s, ctx, { cause: 'error', detail: message, from: priorityOf(s, input.id) });
    return;
  }
  switch (reader.role) {
    case 'candidate':
      if (s.pending?.readerId === reader.id) failCandidate(s, ctx, message, true);
      else stopReader(s, ctx, reader.id);
      return;
    case 'probe':
      stopReader(s, ctx, reader.id);
      if (input !== undefined) input.nextProbeAt = ctx.now + timingsOf(s, input).probeAfterMs;
      ctx.dirty = true;
      return;
    case 'active': {
      stopReader(s, ctx, reader.id);
      if (input === undefined) return;
      recordError(s, ctx, input, message, false);
      if (input.health !== 'active') return;
      degrade(s, ctx, input, message);
      if (s.pending === null) {
        beginSwitch(s, ctx, { cause: 'error', detail: message, from: priorityOf(s, input.id) });
      }
    }
  }
}

export function onTargetDuration(s: FailoverState, ctx: StepContext, readerId: number, ms: number): void {
  const input = inputById(s, readerById(s, readerId)?.inputId ?? null);
  if (input === undefined || !(ms > 0) || input.targetDurationMs === ms) return;
  input.targetDurationMs = ms;
  ctx.dirty = true;
}

export function onPacket(s: FailoverState, ctx: StepContext, readerId: number): void {
  const reader = readerById(s, readerId);
  if (reader === undefined) return;
  reader.lastPacketAt = ctx.now;
  const input = inputById(s, reader.inputId);
  // A removed input's reader bridging to its successor: published, but nothing to decide.
  if (input === undefined) return;
  input.lastPacketAt = ctx.now;
  if (reader.role === 'candidate' && s.pending?.readerId === reader.id) {
    commitSwitch(s, ctx, reader, s.pending);
  } else if (reader.role === 'probe') {
    onProbeDelivered(s, ctx, reader, input);
  } else if (reader.role === 'active' && input.health === 'degraded' && s.exhausted) {
    // The timed-out reader was kept while nothing else worked, and it is back.
    markRecovered(s, ctx, input);
    commitSwitch(s, ctx, reader, {
      cause: 'recovery',
      detail: `input ${priorityOf(s, input.id)} delivered again`,
      from: priorityOf(s, s.activeInputId),
    });
  }
}

/**
 * A probe that delivered makes its input eligible again. When the stream is exhausted the probe
 * reader is published at once; when the input beats the active one and the hold-down is over it
 * is failed back to at once; otherwise the sweeper fails back later.
 */
function onProbeDelivered(s: FailoverState, ctx: StepContext, reader: ReaderState, input: InputState): void {
  markRecovered(s, ctx, input);
  const from = priorityOf(s, s.activeInputId);
  if (s.exhausted) {
    commitSwitch(s, ctx, reader, {
      cause: 'recovery',
      detail: `probe of input ${priorityOf(s, input.id)} delivered`,
      from,
    });
    return;
  }
  const holdDownOver =
    s.lastSwitchAt === null || ctx.now - s.lastSwitchAt >= timingsOf(s, input).failbackHoldDownMs;
  if (s.pending === null && healthyActive(s) !== undefined && selectBest(s) === input && holdDownOver) {
    commitSwitch(s, ctx, reader, { cause: 'failback', detail: '', from });
    return;
  }
  stopReader(s, ctx, reader.id);
}

export function onReaderError(
  s: FailoverState,
  ctx: StepContext,
  readerId: number,
  message: string,
  permanent: boolean,
): void {
  const reader = readerById(s, readerId);
  if (reader === undefined) return;
  const input = inputById(s, reader.inputId);
  if (input !== undefined) recordError(s, ctx, input, message, permanent);
  if (!permanent) return;
  switch (reader.role) {
    case 'candidate':
      failCandidate(s, ctx, message, false);
      return;
    case 'probe':
      stopReader(s, ctx, reader.id);
      if (input !== undefined) input.nextProbeAt = ctx.now + timingsOf(s, input).probeAfterMs;
      return;
    case 'active': {
      stopReader(s, ctx, reader.id);
      if (input === undefined || input.health !== 'active') return;
      degrade(s, ctx, input, message);
      if (s.pending === null) {
        beginSwitch(s, ctx, { cause: 'error', detail: message, from: priorityOf(s, input.id) });
      }
    }
  }
}
