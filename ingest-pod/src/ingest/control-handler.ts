import type { IngestConfig, IngestInput } from '@tributary/crds';
import { applyInputEdit, parseControlRequest } from '../failover/control-protocol.js';
import type { ControlReply } from '../failover/types.js';
import { checkInputs } from './check-inputs.js';

/** What control requests act on: the input manager. */
export interface ControlTarget {
  readonly inputs: readonly IngestInput[];
  switchTo(priority: number): ControlReply;
  setInputs(inputs: readonly IngestInput[]): void;
}

/**
 * One request on the control subject: a manual switch goes to the failover machine; an input edit
 * is applied to the list, checked with the Stream's rules, and handed over whole.
 */
export function handleControl(data: unknown, target: ControlTarget, config: IngestConfig): ControlReply {
  const request = parseControlRequest(data);
  if ('ok' in request) return request;
  if (request.op === 'switch') return target.switchTo(request.priority);
  const edited = applyInputEdit<unknown>(target.inputs, request);
  if (!edited.ok) return edited;
  const checked = checkInputs(config, edited.inputs);
  if (!checked.ok) return { ok: false, error: 'invalid_request', message: checked.message };
  target.setInputs(checked.inputs);
  const at = request.priority ?? checked.inputs.length - 1;
  const done = { add: 'added', remove: 'removed', update: 'updated' }[request.op];
  return { ok: true, message: `input ${at} ${done}; ${checked.inputs.length} inputs now` };
}
