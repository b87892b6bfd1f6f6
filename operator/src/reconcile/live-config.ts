import { classify } from '@tributary/crds';
import type { IngestPodConfig } from './ingest-config.js';

/**
 * What a running ingest pod can change without a restart: its inputs and failover settings. The
 * operator sends it on the Stream's control subject as a `configure` request.
 */
export interface LiveConfig {
  generation: number;
  inputs: Record<string, unknown>[];
  failover: IngestPodConfig['config']['failover'];
}

type Config = IngestPodConfig['config'];

const isPush = (input: Record<string, unknown>) => {
  const kind = classify(String(input.url));
  return kind.ok && kind.mode === 'push';
};

/** The live part of a pod config, as the `configure` request carries it. */
export function liveConfigOf(config: Config): LiveConfig {
  return { generation: config.stream.generation, inputs: config.inputs, failover: config.failover };
}

/**
 * The pod config without its live part, for the pod spec hash: a change of inputs or failover
 * settings alone is relayed to the running pod instead of replacing it. The secret env vars stay
 * in the pod spec (so a Secret reference added or removed still replaces the pod), and so do push
 * inputs, whose route the pod registers once when it starts.
 */
export function podShapeOf(config: Config): Config {
  const pushInputs = config.inputs.filter(isPush).map(({ priority: _, ...input }) => input);
  return { ...config, stream: { ...config.stream, generation: 0 }, inputs: pushInputs, failover: {} };
}

/** The `configure` request for `live`. */
export function configureRequest(live: LiveConfig): Record<string, unknown> {
  return { op: 'configure', generation: live.generation, inputs: live.inputs, failover: live.failover };
}
