/**
 * Requests on `<prefix>.<ns>.<stream>.control` (NATS request/reply, JSON both ways). Only the
 * operator may publish there; it relays the Stream spec, which is the only source of inputs:
 *   {"op":"switch","priority":1}
 *   {"op":"configure","generation":7,"inputs":[...],"failover":{...}}
 * `configure` carries the whole desired live configuration (inputs in the pod config's form, and
 * failover settings in milliseconds); sending it twice changes nothing. Replies are ControlReply.
 * This module only checks the envelope; the shell checks the inputs with the Stream's rules.
 */
import type { ControlReply } from './types.js';

export type ControlRequest =
  | { op: 'switch'; priority: number }
  | { op: 'configure'; generation: number; inputs: unknown[]; failover: Record<string, unknown> };

type Refusal = Extract<ControlReply, { ok: false }>;

const invalid = (message: string): Refusal => ({ ok: false, error: 'invalid_request', message });

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseControlRequest(data: unknown): ControlRequest | Refusal {
  if (!isObject(data)) return invalid('request must be a JSON object');
  const { op } = data;
  if (op === 'switch') {
    if (!isCount(data.priority)) return invalid('"switch" needs "priority", a non-negative integer');
    return { op, priority: data.priority };
  }
  if (op === 'configure') {
    if (!isCount(data.generation)) return invalid('"configure" needs "generation", a non-negative integer');
    if (!Array.isArray(data.inputs)) return invalid('"configure" needs "inputs", an array');
    if (data.failover !== undefined && !isObject(data.failover))
      return invalid('"configure": "failover" must be an object');
    return { op, generation: data.generation, inputs: data.inputs, failover: data.failover ?? {} };
  }
  return invalid(`unknown op ${JSON.stringify(op)}; expected switch or configure`);
}
