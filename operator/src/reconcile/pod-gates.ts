import type { V1ResourceRequirements } from '@kubernetes/client-node';
import type { Stream } from '@tributary/crds';

/** Privileged pod settings this installation lets Stream authors use (operator flags). */
export interface PodGates {
  /** --allow-host-network: a Stream may set spec.pod.hostNetwork. */
  allowHostNetwork: boolean;
  /** --allowed-nfs-servers: NFS servers a VodMount may name; '*' for any. */
  allowedNfsServers: '*' | readonly string[];
  /** --require-memory-limit: the ingest container must end up with a memory limit. */
  requireMemoryLimit: boolean;
  /** The operator's default pod resources, used when the Stream sets none. */
  defaultResources?: V1ResourceRequirements | undefined;
  /** --secret-label: a Stream may only reference Secrets carrying this label. */
  secretLabel?: SecretLabel | undefined;
}

export interface SecretLabel {
  key: string;
  value: string;
}

/** One gate a Stream does not pass, phrased for its status condition. */
export interface GateProblem {
  reason: string;
  message: string;
}

export const secretLabelText = (label: SecretLabel) => `${label.key}=${label.value}`;

/** Whether `server` may be mounted over NFS. Host names compare without case. */
export function nfsServerAllowed(server: string, allowed: PodGates['allowedNfsServers']): boolean {
  if (allowed === '*') return true;
  const host = server.trim().toLowerCase();
  return allowed.some((entry) => entry.toLowerCase() === host);
}

/** Whether a Secret with `labels` passes --secret-label. */
export function secretLabelled(
  labels: Record<string, string> | undefined,
  label: SecretLabel | undefined,
): boolean {
  return !label || labels?.[label.key] === label.value;
}

/**
 * The memory limit the ingest container gets: the Stream's resources replace the defaults whole,
 * as the pod manifest does, so a Stream with resources but no memory limit removes it.
 */
export function effectiveMemoryLimit(
  stream: Stream,
  defaults: V1ResourceRequirements | undefined,
): string | number | undefined {
  const own = stream.spec?.pod?.resources;
  return own ? own.limits?.memory : defaults?.limits?.memory;
}

/** The pod-level gates: hostNetwork and the memory limit. */
export function podGateProblems(stream: Stream, gates: PodGates): GateProblem[] {
  const problems: GateProblem[] = [];
  if (stream.spec?.pod?.hostNetwork && !gates.allowHostNetwork) {
    problems.push({
      reason: 'HostNetworkNotAllowed',
      message:
        'spec.pod.hostNetwork: this installation does not allow host networking (the operator runs without --allow-host-network); remove spec.pod.hostNetwork or ask the cluster admin',
    });
  }
  const limit = effectiveMemoryLimit(stream, gates.defaultResources);
  if (gates.requireMemoryLimit && (limit === undefined || limit === '' || limit === 0 || limit === '0')) {
    const where = stream.spec?.pod?.resources
      ? 'spec.pod.resources replaces the default resources but sets no limits.memory'
      : "the operator's default pod resources have no memory limit";
    problems.push({
      reason: 'MemoryLimitRequired',
      message: `spec.pod.resources.limits.memory: an ingest pod needs a memory limit (the operator runs with --require-memory-limit) and ${where}; set spec.pod.resources.limits.memory, e.g. 512Mi`,
    });
  }
  return problems;
}
