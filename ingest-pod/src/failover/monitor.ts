import {
  degrade,
  healthyActive,
  inputById,
  priorityOf,
  readerById,
  readersOf,
  recordError,
  type StepContext,
  selectBest,
  startReader,
  stopReader,
  timingsOf,
} from './model.js';
import { beginSwitch, failCandidate } from './switching.js';
import { formatSeconds } from './timings.js';
import type { FailoverState } from './types.js';

/** One monitor period: deadlines first, then new probes, then failback. */
export function onTick(s: FailoverState, ctx: StepContext): void {
  checkPacketTimeout(s, ctx);
  checkCandidateDeadline(s, ctx);
  checkProbeDeadlines(s, ctx);
  startDueProbes(s, ctx);
  sweepFailback(s, ctx);
}

/**
 * The published input is lost after a media gap of packetTimeout. Its reader keeps publishing
 * whatever it still delivers until a successor delivers (or, with no successor, until it comes
 * back: then the stream recovers on it).
 */
function checkPacketTimeout(s: FailoverState, ctx: StepContext): void {
  const input = healthyActive(s);
  const reader = readerById(s, s.publishingReaderId);
  if (input === undefined || reader === undefined) return;
  const timeout = timingsOf(s, input).packetTimeoutMs;
  const gap = ctx.now - (reader.lastPacketAt ?? reader.startedAt);
  if (gap < timeout) return;
  const text = `no packet for ${formatSeconds(gap)} (timeout ${formatSeconds(timeout)})`;
  recordError(s, ctx, input, text, false);
  degrade(s, ctx, input, text);
  if (s.pending === null)
    beginSwitch(s, ctx, { cause: 'timeout', detail: text, from: priorityOf(s, input.id) });
}

/**
 * A candidate has probeTimeout to open and deliver; the packet timeout does not apply before that.
 * A sole push input waits for its publisher as long as it takes; its budget starts when one came.
 */
function checkCandidateDeadline(s: FailoverState, ctx: StepContext): void {
  const reader = readerById(s, s.pending?.readerId ?? null);
  const input = inputById(s, reader?.inputId ?? null);
  if (reader === undefined || input === undefined) return;
  const waitsForPublisher = input.spec.push === true && s.inputs.length === 1;
  if (waitsForPublisher && reader.openedAt === null) return;
  const since = waitsForPublisher ? reader.openedAt! : reader.startedAt;
  const budget = timingsOf(s, input).probeTimeoutMs;
  if (ctx.now - since < budget) return;
  failCandidate(s, ctx, `no media within ${formatSeconds(budget)} of starting`, true);
}

/** A probe that did not deliver in time is closed; the input is probed again probeAfter later. */
function checkProbeDeadlines(s: FailoverState, ctx: StepContext): void {
  for (const reader of s.readers.filter((r) => r.role === 'probe')) {
    const input = inputById(s, reader.inputId);
    if (input === undefined) continue;
    const timings = timingsOf(s, input);
    if (ctx.now - reader.startedAt < timings.probeTimeoutMs) continue;
    stopReader(s, ctx, reader.id);
    input.nextProbeAt = ctx.now + timings.probeAfterMs;
    ctx.dirty = true;
  }
}

/**
 * Every degraded input without a reader is probed once its nextProbeAt has come, the last active
 * one included. A timed-out active reader still running counts as a continuous probe.
 */
function startDueProbes(s: FailoverState, ctx: StepContext): void {
  for (const input of s.inputs) {
    if (input.health !== 'degraded' || input.nextProbeAt === null || ctx.now < input.nextProbeAt) continue;
    if (readersOf(s, input.id).length > 0) continue;
    startReader(s, ctx, input, 'probe');
  }
}

/**
 * Catches failbacks a probe raced past (it recovered inside the hold-down): once the hold-down
 * since the last switch is over, a better eligible input is switched to.
 */
function sweepFailback(s: FailoverState, ctx: StepContext): void {
  if (s.exhausted || s.pending !== null) return;
  const active = healthyActive(s);
  if (active === undefined) return;
  const holdDown = timingsOf(s, active).failbackHoldDownMs;
  if (s.lastSwitchAt !== null && ctx.now - s.lastSwitchAt < holdDown) return;
  const best = selectBest(s);
  if (best === undefined || best === active) return;
  beginSwitch(s, ctx, { cause: 'failback', detail: '', from: priorityOf(s, active.id), target: best });
}
