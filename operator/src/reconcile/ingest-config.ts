import type { V1EnvVar } from '@kubernetes/client-node';
import { type CopySource, classify, type IngestConfig, parseDuration, type Stream } from '@tributary/crds';
import { hasPushInput } from '../push/push-route-finalizer.js';

/** What the pod's `TRIBUTARY_STREAM` holds, and the env vars that carry its secrets. */
export interface IngestPodConfig {
  /** As the pod reads it: optional collections are left out when empty. */
  config: Omit<IngestConfig, 'inputs'> & { inputs: Record<string, unknown>[] };
  secretEnv: V1EnvVar[];
}

const FAILOVER_FIELDS = [
  ['packetTimeout', 'packetTimeoutMs'],
  ['probeAfter', 'probeAfterMs'],
  ['probeTimeout', 'probeTimeoutMs'],
  ['failbackHoldDown', 'failbackHoldDownMs'],
] as const;

function secretEnv(name: string, secret: { name: string; key: string }): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } } };
}

/**
 * The ingest pod's configuration for `stream`. Secret values never appear in it: each is replaced by
 * the name of an env var (TRIBUTARY_SECRET_<input>_<n>) that the pod spec fills from the Secret.
 * `pushListenerKey` (public) goes to pods with a push input, so a new listener key replaces them.
 * `copySources` gives the ladder rung each copy:// input reads (see copySourceOf).
 */
export function ingestPodConfig(
  stream: Stream,
  subjectPrefix: string,
  pushListenerKey?: string,
  copySources: readonly CopySource[] = [],
): IngestPodConfig {
  const env: V1EnvVar[] = [];
  const inputs = stream.spec.inputs.map((input, index) => {
    let n = 0;
    const envFor = (ref: { name: string; key: string }) => {
      const name = `TRIBUTARY_SECRET_${index}_${n++}`;
      env.push(secretEnv(name, ref));
      return name;
    };
    const out: Record<string, unknown> = { url: input.url, priority: index };
    if (input.headers && Object.keys(input.headers).length > 0) out.headers = input.headers;
    if (input.headersFrom?.length) {
      out.headersFromEnv = input.headersFrom.map((h) => ({ name: h.name, env: envFor(h.secretKeyRef) }));
    }
    if (input.params && Object.keys(input.params).length > 0) out.params = input.params;
    if (input.paramsFrom?.length) {
      out.paramsFromEnv = input.paramsFrom.map((p) => ({ name: p.name, env: envFor(p.secretKeyRef) }));
    }
    if (input.program !== undefined) out.program = input.program;
    if (input.pids !== undefined) out.pids = input.pids;
    if (input.timeoutSeconds !== undefined) out.timeoutSeconds = input.timeoutSeconds;
    if (input.insecureTLS !== undefined) out.insecureTLS = input.insecureTLS;
    if (input.sendHeadersToAllHosts !== undefined) out.sendHeadersToAllHosts = input.sendHeadersToAllHosts;
    if (input.publishKeySecretRef) out.publishKeyEnv = envFor(input.publishKeySecretRef);
    const copied = classify(input.url);
    if (copied.ok && copied.kind === 'copy') {
      const rung = copySources.find((source) => source.stream === copied.upstream)?.rung;
      if (rung !== undefined) out.copyRung = rung;
    }
    return out;
  });
  const failover: IngestConfig['failover'] = {};
  for (const [field, msField] of FAILOVER_FIELDS) {
    const text = stream.spec.failover?.[field];
    const ms = text === undefined ? undefined : parseDuration(text);
    if (ms !== undefined && ms > 0) failover[msField] = ms;
  }
  return {
    config: {
      stream: {
        namespace: stream.metadata.namespace ?? '',
        name: stream.metadata.name,
        uid: stream.metadata.uid ?? '',
        generation: stream.metadata.generation ?? 0,
      },
      inputs,
      failover,
      subjectPrefix,
      // Only pods with a push input seal anything to it; others stay unchanged when it rotates.
      ...(pushListenerKey && hasPushInput(stream) && { pushListenerKey }),
    },
    secretEnv: env,
  };
}
