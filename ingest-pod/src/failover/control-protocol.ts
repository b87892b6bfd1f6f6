/**
 * Requests on `<prefix>.<ns>.<stream>.control` (NATS request/reply, JSON both ways):
 *   {"op":"switch","priority":1}
 *   {"op":"add","input":{...},"priority":1}   priority optional: appended when absent
 *   {"op":"remove","priority":1}
 *   {"op":"update","priority":1,"input":{...}}
 * Replies are ControlReply. The `input` objects are validated by the shell with the Stream
 * schema's rules; this module only checks the envelope and edits the list.
 */
import type { ControlReply } from './types.js';

/** Same bound as the Stream schema. */
export const MAX_INPUTS = 8;

export type ControlRequest =
  | { op: 'switch'; priority: number }
  | { op: 'add'; input: unknown; priority?: number }
  | { op: 'remove'; priority: number }
  | { op: 'update'; priority: number; input: unknown };

type Refusal = Extract<ControlReply, { ok: false }>;

const invalid = (message: string): Refusal => ({ ok: false, error: 'invalid_request', message });

function isPriority(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

export function parseControlRequest(data: unknown): ControlRequest | Refusal {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return invalid('request must be a JSON object');
  const { op, priority, input } = data as Record<string, unknown>;
  const needsInput = op === 'add' || op === 'update';
  if (needsInput && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    return invalid(`"${op}" needs an "input" object`);
  }
  if (op === 'add' && priority === undefined) return { op, input };
  if (op !== 'switch' && op !== 'add' && op !== 'remove' && op !== 'update') {
    return invalid(`unknown op ${JSON.stringify(op)}; expected switch, add, remove or update`);
  }
  if (!isPriority(priority)) return invalid(`"${op}" needs "priority", a non-negative integer`);
  if (op === 'add' || op === 'update') return { op, priority, input };
  return { op, priority };
}

/** An add, remove or update whose `input` the shell has validated. */
export type InputEdit<T> =
  | { op: 'add'; input: T; priority?: number }
  | { op: 'remove'; priority: number }
  | { op: 'update'; priority: number; input: T };

/**
 * The input list after an edit (priorities are list positions, so later inputs move up or down
 * by one). Refuses unknown priorities, a ninth input and removing the last one.
 */
export function applyInputEdit<T>(
  inputs: readonly T[],
  edit: InputEdit<T>,
): { ok: true; inputs: T[] } | Refusal {
  const unknown = (p: number): Refusal => ({
    ok: false,
    error: 'unknown_priority',
    message: `no input with priority ${p}; known: 0..${inputs.length - 1}`,
  });
  switch (edit.op) {
    case 'add': {
      const at = edit.priority ?? inputs.length;
      if (at > inputs.length) {
        return {
          ...unknown(at),
          message: `cannot add at priority ${at}; the highest free one is ${inputs.length}`,
        };
      }
      if (inputs.length >= MAX_INPUTS) return invalid(`a stream has at most ${MAX_INPUTS} inputs`);
      return { ok: true, inputs: [...inputs.slice(0, at), edit.input, ...inputs.slice(at)] };
    }
    case 'remove':
      if (edit.priority >= inputs.length) return unknown(edit.priority);
      if (inputs.length === 1) return invalid('cannot remove the only input; suspend the stream instead');
      return { ok: true, inputs: inputs.filter((_, i) => i !== edit.priority) };
    case 'update':
      if (edit.priority >= inputs.length) return unknown(edit.priority);
      return { ok: true, inputs: inputs.map((old, i) => (i === edit.priority ? edit.input : old)) };
  }
}
