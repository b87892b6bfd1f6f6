import { diffInputs } from './inputs-diff.js';
import {
  healthyActive,
  inputById,
  priorityOf,
  readerById,
  readersOf,
  type StepContext,
  selectBest,
  stopReader,
} from './model.js';
import { beginSwitch, type SwitchIntent } from './switching.js';
import type { ControlReply, FailoverInputSpec, FailoverState, InputState } from './types.js';

export function newInputState(id: number, spec: FailoverInputSpec): InputState {
  return {
    id,
    spec,
    health: 'standby',
    lastPacketAt: null,
    degradedAt: null,
    nextProbeAt: null,
    errors: [],
    targetDurationMs: null,
  };
}

/**
 * Switches to the input at `priority` and keeps preferring it until it degrades. Refused for a
 * priority the stream does not have and for a degraded input (it would only fail).
 */
export function manualSwitch(s: FailoverState, ctx: StepContext, priority: number): ControlReply {
  const target = Number.isInteger(priority) ? s.inputs[priority] : undefined;
  if (target === undefined) {
    const known = s.inputs.length === 1 ? 'priority 0' : `priorities 0..${s.inputs.length - 1}`;
    return {
      ok: false,
      error: 'unknown_priority',
      message: `no input with priority ${priority}; known: ${known}`,
    };
  }
  if (target.health === 'degraded') {
    const last = target.errors[0]?.message;
    const why = last === undefined ? '' : ` (${last})`;
    return {
      ok: false,
      error: 'input_degraded',
      message: `input ${priority} is degraded${why}; it is probed and can be chosen once it delivers again`,
    };
  }
  s.overrideInputId = target.id;
  ctx.dirty = true;
  if (!s.started) return { ok: true, message: `input ${priority} will be used when the stream starts` };
  if (healthyActive(s) === target) {
    if (s.pending !== null) stopReader(s, ctx, s.pending.readerId);
    return { ok: true, message: `input ${priority} is already active` };
  }
  beginSwitch(s, ctx, { cause: 'manual', detail: '', from: priorityOf(s, s.activeInputId), target });
  return { ok: true, message: `switching to input ${priority}` };
}

/**
 * Applies a new input list. Unchanged inputs keep their state and readers, whatever their new
 * priority; updated inputs start over (their readers are closed); removed inputs' readers are
 * closed, except the published one, which bridges until its successor delivers.
 * Then, in this order: the published input updated to another source -> its successor is
 * connected while it bridges (make-before-break, `input_updated`); the active input removed ->
 * `input_removed`; a new input now preferred -> `input_added`; the healthy active input updated
 * on the same source (which cannot be opened twice) -> restarted alone; nothing published and
 * nothing under way -> the best input is tried.
 */
export function inputsChanged(s: FailoverState, ctx: StepContext, specs: readonly FailoverInputSpec[]): void {
  const before = s.inputs;
  const diff = diffInputs(
    before.map((input) => input.spec),
    specs,
  );
  const activeBefore = healthyActive(s);
  const pendingBefore = s.pending;
  const added = new Set<InputState>();
  const updated = new Set<InputState>();
  const publishing = readerById(s, s.publishingReaderId);
  let successor: InputState | undefined;

  s.inputs = diff.next.map((change, j) => {
    const spec = specs[j]!;
    if (change.kind === 'added') {
      const input = newInputState(s.nextInputId++, spec);
      added.add(input);
      return input;
    }
    const input = before[change.from]!;
    if (change.kind === 'updated' && publishing?.inputId === input.id && canBridge(input.spec, spec)) {
      // A new identity: the old one is gone, so its published reader is the bridge to this one.
      successor = newInputState(s.nextInputId++, spec);
      if (s.overrideInputId === input.id) s.overrideInputId = successor.id;
      return successor;
    }
    if (change.kind === 'updated') {
      updated.add(input);
      Object.assign(input, newInputState(input.id, spec));
    }
    input.spec = spec;
    return input;
  });
  ctx.dirty = true;

  for (const input of updated) for (const reader of readersOf(s, input.id)) stopReader(s, ctx, reader.id);
  const removedIds = new Set(diff.removed.map((i) => before[i]!.id));
  const bridgedId = successor === undefined ? undefined : publishing?.inputId;
  if (bridgedId !== undefined) removedIds.add(bridgedId);
  for (const reader of [...s.readers]) {
    if (removedIds.has(reader.inputId) && reader.id !== s.publishingReaderId) stopReader(s, ctx, reader.id);
  }
  if (s.overrideInputId !== null && removedIds.has(s.overrideInputId)) s.overrideInputId = null;
  if (!s.started) return;

  const oldActivePriority = before.findIndex((input) => input.id === s.activeInputId);
  const best = selectBest(s);
  if (successor !== undefined) {
    const p = priorityOf(s, successor.id);
    beginSwitch(s, ctx, { cause: 'input_updated', detail: `input ${p} updated`, from: p, target: successor });
  } else if (s.activeInputId !== null && removedIds.has(s.activeInputId)) {
    beginSwitch(s, ctx, {
      cause: 'input_removed',
      detail: `input ${oldActivePriority} removed`,
      from: oldActivePriority,
    });
  } else if (best !== undefined && added.has(best)) {
    const from = priorityOf(s, s.activeInputId);
    beginSwitch(s, ctx, {
      cause: 'input_added',
      detail: `input ${priorityOf(s, best.id)} added`,
      from,
      target: best,
    });
  } else if (activeBefore !== undefined && updated.has(activeBefore)) {
    const p = priorityOf(s, activeBefore.id);
    beginSwitch(s, ctx, {
      cause: 'input_updated',
      detail: `input ${p} updated`,
      from: p,
      target: activeBefore,
    });
  } else if (healthyActive(s) === undefined && s.pending === null) {
    beginSwitch(s, ctx, resumeIntent(s, pendingBefore, updated, added));
  }
}

/** Nothing is published or under way: resume a cancelled switch, or try what the edit brought. */
function resumeIntent(
  s: FailoverState,
  cancelled: FailoverState['pending'],
  updated: ReadonlySet<InputState>,
  added: ReadonlySet<InputState>,
): SwitchIntent {
  const from = priorityOf(s, s.activeInputId);
  if (cancelled !== null) {
    const { cause, detail } = cancelled;
    if (cause !== 'input_updated') return { cause, detail, from: cancelled.from };
    // A restart whose input changed again restarts it with the newest configuration.
    const target = inputById(s, cancelled.inputId);
    if (target !== undefined) return { cause, detail, from: cancelled.from, target };
  }
  const fresh = [...updated, ...added].map((input) => priorityOf(s, input.id)).sort((a, b) => a - b);
  const detail = fresh.length > 0 ? `input ${fresh[0]} changed` : '';
  return { cause: 'input_added', detail, from };
}

/** Both sources can be open at once (not the same port or stream twice), so the old can bridge. */
function canBridge(before: FailoverInputSpec, after: FailoverInputSpec): boolean {
  return (
    before.source !== undefined &&
    after.source !== undefined &&
    before.source !== after.source &&
    !before.push &&
    !after.push
  );
}
