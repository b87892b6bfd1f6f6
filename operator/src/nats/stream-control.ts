import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '@tributary/crds';

/** An ingest pod's answer on its control subject. */
export interface ControlAnswer {
  ok: boolean;
  /** Set when `ok` is false, e.g. `invalid_request`, `input_degraded`. */
  error?: string;
  message: string;
}

const REQUEST_TIMEOUT_MS = 5000;

/**
 * Requests to the ingest pods' control subjects (`<prefix>.<ns>.<stream>.control`), on the
 * operator's own NATS connection: the operator is the only one allowed to publish there.
 * Rejects when NATS is not connected, nobody answers, or the answer is not a ControlAnswer.
 */
export class StreamControl {
  readonly #connection: () => NatsConnection | undefined;
  readonly #prefix: string;

  constructor(connection: () => NatsConnection | undefined, subjectPrefix: string) {
    this.#connection = connection;
    this.#prefix = subjectPrefix;
  }

  async request(namespace: string, name: string, body: Record<string, unknown>): Promise<ControlAnswer> {
    const nc = this.#connection();
    if (!nc || nc.isClosed()) throw new Error('not connected to NATS');
    const subject = subjects(this.#prefix, namespace, name).control;
    const reply = await nc.request(subject, JSON.stringify(body), { timeout: REQUEST_TIMEOUT_MS });
    const answer: unknown = reply.json();
    if (
      typeof answer !== 'object' ||
      answer === null ||
      typeof (answer as ControlAnswer).ok !== 'boolean' ||
      typeof (answer as ControlAnswer).message !== 'string'
    ) {
      throw new Error(`the ingest pod's answer on ${subject} is not a control reply`);
    }
    const { ok, error, message } = answer as ControlAnswer;
    return { ok, message, ...(typeof error === 'string' && { error }) };
  }
}
