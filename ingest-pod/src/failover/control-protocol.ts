/**
 * Requests on `<prefix>.<ns>.<stream>.control` (NATS request/reply, JSON both ways). Only the
 * operator may publish there; it relays the Stream spec, which is the only source of inputs:
 *   {"op":"switch","priority":1}
 *   {"op":"configure","generation":7,"inputs":[...],"failover":{...}}
 *   {"op":"release","pod":"cam-ingest-b"}
 * `configure` carries the whole desired live configuration (inputs in the pod config's form, and
 * failover settings in milliseconds); sending it twice changes nothing. `release` starts a pod that
 * replaced another on standby (see controlAudience). Replies are ControlReply.
 * This module only checks the envelope; the shell checks the inputs with the Stream's rules.
 */
import type { ControlReply } from './types.js';

export type ControlRequest =
  | { op: 'switch'; priority: number }
  | { op: 'configure'; generation: number; inputs: unknown[]; failover: Record<string, unknown> }
  | { op: 'release'; pod: string };

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
  if (op === 'release') {
    if (typeof data.pod !== 'string' || data.pod === '') return invalid('"release" needs "pod", a pod name');
    return { op, pod: data.pod };
  }
  return invalid(`unknown op ${JSON.stringify(op)}; expected switch, configure or release`);
}

/**
 * Whether this pod answers a control request. Two pods of a Stream share the subject while one
 * replaces the other: the standby pod answers only a `release` addressed to it, and no pod answers a
 * request addressed to another pod (NATS takes the first reply, so a wrong one must not be sent).
 */
export function controlAudience(
  data: unknown,
  self: { name?: string | undefined; standby: boolean },
): boolean {
  const request = isObject(data) ? data : {};
  if (typeof request.pod === 'string' && request.pod !== self.name) return false;
  return !self.standby || request.op === 'release';
}
