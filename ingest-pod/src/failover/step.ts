import { inputsChanged, manualSwitch, newInputState } from './control.js';
import { newContext, readerById, stopReader } from './model.js';
import { onTick } from './monitor.js';
import {
  isRoutinePacket,
  onPacket,
  onReaderError,
  onReaderOpened,
  onSourceAbsent,
  onTargetDuration,
} from './reader-events.js';
import { beginSwitch } from './switching.js';
import type {
  ControlReply,
  FailoverEvent,
  FailoverInputSpec,
  FailoverOverrides,
  FailoverState,
  StepResult,
} from './types.js';

export function createFailoverState(
  inputs: readonly FailoverInputSpec[],
  overrides: FailoverOverrides = {},
): FailoverState {
  return {
    overrides: { ...overrides },
    inputs: inputs.map((spec, id) => newInputState(id, { ...spec })),
    readers: [],
    publishingReaderId: null,
    activeInputId: null,
    pending: null,
    overrideInputId: null,
    exhausted: false,
    lastSwitchAt: null,
    switches: [],
    started: false,
    stopped: false,
    nextReaderId: 1,
    nextInputId: inputs.length,
  };
}

/** Whether the shell may publish a packet that `readerId` produced. */
export function shouldPublish(state: FailoverState, readerId: number): boolean {
  return state.publishingReaderId === readerId;
}

/** Media on the published healthy input only moves two timestamps: no clone, no effects. */
function routinePacket(state: FailoverState, readerId: number, now: number): StepResult {
  const reader = readerById(state, readerId)!;
  const readers = state.readers.map((r) => (r === reader ? { ...r, lastPacketAt: now } : r));
  const inputs = state.inputs.map((input) =>
    input.id === reader.inputId ? { ...input, lastPacketAt: now } : input,
  );
  return { state: { ...state, readers, inputs }, effects: [] };
}

const STOPPED: ControlReply = { ok: false, error: 'stopped', message: 'the stream is stopping' };

/**
 * The input manager's failover state machine: one event in, the next state and the effects for
 * the shell out, in the order they must be executed. `now` is epoch milliseconds from the
 * shell's clock. The given state is never modified.
 */
export function step(state: FailoverState, event: FailoverEvent, now: number): StepResult {
  if (state.stopped) {
    return event.type === 'manualSwitch' ? { state, effects: [], reply: STOPPED } : { state, effects: [] };
  }
  if (event.type === 'packet' && isRoutinePacket(state, event.readerId)) {
    return routinePacket(state, event.readerId, now);
  }
  const s = structuredClone(state);
  const ctx = newContext(now);
  let reply: ControlReply | undefined;
  switch (event.type) {
    case 'start':
      if (!s.started) {
        s.started = true;
        beginSwitch(s, ctx, { cause: 'initial', detail: '', from: -1 });
      }
      break;
    case 'stop':
      for (const reader of [...s.readers]) stopReader(s, ctx, reader.id);
      for (const input of s.inputs) if (input.health === 'active') input.health = 'standby';
      s.pending = null;
      s.stopped = true;
      ctx.dirty = true;
      break;
    case 'tick':
      if (s.started) onTick(s, ctx);
      break;
    case 'readerOpened':
      onReaderOpened(s, ctx, event.readerId, event.pusher);
      break;
    case 'sourceAbsent':
      onSourceAbsent(s, ctx, event.readerId, event.message, event.left);
      break;
    case 'packet':
      onPacket(s, ctx, event.readerId);
      break;
    case 'readerError':
      onReaderError(s, ctx, event.readerId, event.message, event.permanent);
      break;
    case 'targetDuration':
      onTargetDuration(s, ctx, event.readerId, event.ms);
      break;
    case 'manualSwitch':
      reply = manualSwitch(s, ctx, event.priority);
      break;
    case 'inputsChanged':
      inputsChanged(s, ctx, event.inputs);
      break;
    case 'overridesChanged':
      s.overrides = { ...event.overrides };
      ctx.dirty = true;
      break;
  }
  if (ctx.dirty || ctx.effects.length > 0) ctx.effects.push({ type: 'viewChanged' });
  return reply === undefined ? { state: s, effects: ctx.effects } : { state: s, effects: ctx.effects, reply };
}
