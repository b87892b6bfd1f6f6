import { redactUrl, type Stream, type VodMount, validateStream } from '@tributary/crds';
import {
  nfsServerAllowed,
  type PodGates,
  podGateProblems,
  secretLabelled,
  secretLabelText,
} from './pod-gates.js';
import { referencesOf } from './references.js';

/** What a Stream's validation may look up, all in the Stream's namespace. */
export interface ValidationWorld {
  stream(name: string): Stream | undefined;
  vodMount(name: string): VodMount | undefined;
  /** The keys of a Secret, or undefined when it does not exist. */
  secretKeys(name: string): readonly string[] | undefined;
  /** The labels of a Secret (for --secret-label), or undefined when it does not exist. */
  secretLabels?(name: string): Record<string, string> | undefined;
}

export interface ValidationOptions {
  allowHostPath: boolean;
  /** A Secret every ingest pod mounts for NATS credentials, when the operator is configured so. */
  natsCredentials?: { secret: string; key: string } | undefined;
  /** Privileged pod settings; when absent, hostNetwork and NFS are refused and nothing else is gated. */
  gates?: PodGates | undefined;
}

const CLOSED_GATES: PodGates = { allowHostNetwork: false, allowedNfsServers: [], requireMemoryLimit: false };

/** One reason the Stream cannot run; `reason` is the CamelCase word for the condition. */
export interface InputProblem {
  reason: string;
  message: string;
}

const pascal = (id: string) =>
  id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/**
 * Every reason the Stream cannot run: the single-object rules again (objects stored before the CRD
 * had them are not re-checked by the apiserver) and the rules that need other objects.
 */
export function validateAgainstWorld(
  stream: Stream,
  world: ValidationWorld,
  options: ValidationOptions,
): InputProblem[] {
  const problems: InputProblem[] = validateStream(stream.spec, { name: stream.metadata.name }).map((p) => ({
    reason: pascal(p.rule),
    message: p.message,
  }));
  const inputs = Array.isArray(stream.spec?.inputs) ? stream.spec.inputs : [];
  const label = (index: number) => {
    const url = inputs[index]?.url;
    return typeof url === 'string' ? `input ${index} (${redactUrl(url)})` : `input ${index}`;
  };
  const refs = referencesOf(stream);
  const namespace = stream.metadata.namespace ?? '';
  const byInput: (InputProblem & { input: number })[] = [];
  const gates = options.gates ?? CLOSED_GATES;
  problems.push(...podGateProblems(stream, gates));

  for (const { input, mount } of refs.vodMounts) {
    const vodMount = world.vodMount(mount);
    if (!vodMount) {
      byInput.push({
        input,
        reason: 'VodMountNotFound',
        message: `${label(input)}: VodMount "${mount}" does not exist in namespace "${namespace}"`,
      });
    } else if (vodMount.spec?.hostPath && !options.allowHostPath) {
      byInput.push({
        input,
        reason: 'HostPathNotAllowed',
        message: `${label(input)}: VodMount "${mount}" uses hostPath, which this installation does not allow`,
      });
    } else if (vodMount.spec?.nfs && !nfsServerAllowed(vodMount.spec.nfs.server, gates.allowedNfsServers)) {
      byInput.push({
        input,
        reason: 'NfsServerNotAllowed',
        message: `${label(input)}: VodMount "${mount}" spec.nfs.server "${vodMount.spec.nfs.server}" is not in the operator's --allowed-nfs-servers; use an allowed server or ask the cluster admin to add it`,
      });
    }
  }

  for (const use of refs.secrets) {
    const { input } = use;
    const keys = world.secretKeys(use.secret);
    const required = gates.secretLabel;
    if (required && (!keys || !secretLabelled(world.secretLabels?.(use.secret), required))) {
      // Secrets without the label are not even watched: absent and unlabelled look the same.
      byInput.push({
        input,
        reason: 'SecretNotLabeled',
        message: `${label(use.input)}: ${use.path}: there is no Secret "${use.secret}" with label ${secretLabelText(required)} in namespace "${namespace}" (the operator runs with --secret-label); label the Secret or reference one that has the label`,
      });
    } else if (!keys) {
      byInput.push({
        input,
        reason: 'SecretNotFound',
        message: `${label(use.input)}: ${use.field}: Secret "${use.secret}" does not exist in namespace "${namespace}"`,
      });
    } else if (!keys.includes(use.key)) {
      byInput.push({
        input,
        reason: 'SecretKeyNotFound',
        message: `${label(use.input)}: ${use.field}: Secret "${use.secret}" has no key "${use.key}"`,
      });
    }
  }

  for (const { input, stream: upstreamName } of refs.upstreams) {
    if (upstreamName === stream.metadata.name) continue; // reported by validateStream (copy-self)
    const upstream = world.stream(upstreamName);
    if (!upstream) {
      byInput.push({
        input,
        reason: 'UpstreamNotFound',
        message: `${label(input)}: Stream "${upstreamName}" does not exist in namespace "${namespace}"`,
      });
      continue;
    }
    const cycle = copyCycle(stream.metadata.name, upstreamName, world);
    if (cycle) {
      byInput.push({
        input,
        reason: 'CopyCycle',
        message: `${label(input)}: the copy:// inputs form a cycle: ${cycle.join(' -> ')}`,
      });
    }
    const rungs = Array.isArray(upstream.spec?.ladder) ? upstream.spec.ladder.length : 0;
    if (rungs > 0 && inputs.length > 1) {
      byInput.push({
        input,
        reason: 'UpstreamHasLadder',
        message: `${label(input)}: Stream "${upstreamName}" has a ladder of ${rungs} rendition(s), so copying it must be the only input (fallback inputs are not supported)`,
      });
    }
  }

  // Sorted by input (stable), so the first problem, whose reason the condition shows, is the first input's.
  problems.push(
    ...byInput.sort((a, b) => a.input - b.input).map(({ reason, message }) => ({ reason, message })),
  );

  const creds = options.natsCredentials;
  if (creds) {
    const keys = world.secretKeys(creds.secret);
    if (!keys?.includes(creds.key)) {
      problems.push({
        reason: 'NatsCredentialsNotFound',
        message: `the NATS credentials Secret "${creds.secret}" with key "${creds.key}"${gates.secretLabel ? ` and label ${secretLabelText(gates.secretLabel)}` : ''} does not exist in namespace "${namespace}"`,
      });
    }
  }
  return problems;
}

/** The path `self -> first -> ... -> self` when following copy:// from `first` comes back, else undefined. */
function copyCycle(self: string, first: string, world: ValidationWorld): string[] | undefined {
  const visited = new Set<string>();
  const walk = (name: string, path: string[]): string[] | undefined => {
    if (name === self) return [...path, name];
    if (visited.has(name)) return undefined;
    visited.add(name);
    const stream = world.stream(name);
    if (!stream) return undefined;
    for (const { stream: next } of referencesOf(stream).upstreams) {
      const found = walk(next, [...path, name]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(first, [self]);
}
