import { classify, type Stream } from '@tributary/crds';

/** One Secret key a Stream input reads, and which field asks for it (for messages). */
export interface SecretUse {
  input: number;
  /** e.g. `headersFrom Authorization`, `paramsFrom passphrase`, `publishKeySecretRef`. */
  field: string;
  /** The field's path in the Stream, e.g. `spec.inputs[1].headersFrom[Authorization]`. */
  path: string;
  secret: string;
  key: string;
}

/** The other objects a Stream's inputs name, all in the Stream's namespace. */
export interface StreamReferences {
  secrets: SecretUse[];
  /** VodMount name per file:// input. */
  vodMounts: { input: number; mount: string }[];
  /** Upstream Stream name per copy:// input. */
  upstreams: { input: number; stream: string }[];
}

const memo = new WeakMap<object, StreamReferences>();

const use = (input: number, field: string, path: string, ref: { name: string; key: string }): SecretUse => ({
  input,
  field,
  path: `spec.inputs[${input}].${path}`,
  secret: ref.name,
  key: ref.key,
});

/** What `stream` references; computed once per object (informer objects are replaced, not mutated). */
export function referencesOf(stream: Stream): StreamReferences {
  const cached = memo.get(stream);
  if (cached) return cached;
  const refs: StreamReferences = { secrets: [], vodMounts: [], upstreams: [] };
  const inputs = Array.isArray(stream.spec?.inputs) ? stream.spec.inputs : [];
  inputs.forEach((input, index) => {
    for (const header of input.headersFrom ?? []) {
      refs.secrets.push(
        use(index, `headersFrom ${header.name}`, `headersFrom[${header.name}]`, header.secretKeyRef),
      );
    }
    for (const param of input.paramsFrom ?? []) {
      refs.secrets.push(
        use(index, `paramsFrom ${param.name}`, `paramsFrom[${param.name}]`, param.secretKeyRef),
      );
    }
    if (input.publishKeySecretRef) {
      refs.secrets.push(use(index, 'publishKeySecretRef', 'publishKeySecretRef', input.publishKeySecretRef));
    }
    const kind = classify(typeof input.url === 'string' ? input.url : '');
    if (!kind.ok) return;
    if (kind.kind === 'file') refs.vodMounts.push({ input: index, mount: kind.mount });
    if (kind.kind === 'copy') refs.upstreams.push({ input: index, stream: kind.upstream });
  });
  memo.set(stream, refs);
  return refs;
}

/** Names of the Streams in `streams` that copy `name` directly or through other Streams. */
export function dependentsOf(name: string, streams: readonly Stream[]): string[] {
  const copiers = new Map<string, string[]>();
  for (const stream of streams) {
    for (const { stream: upstream } of referencesOf(stream).upstreams) {
      const list = copiers.get(upstream) ?? [];
      list.push(stream.metadata.name);
      copiers.set(upstream, list);
    }
  }
  const found = new Set<string>();
  const pending = [name];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const copier of copiers.get(next) ?? []) {
      if (found.has(copier) || copier === name) continue;
      found.add(copier);
      pending.push(copier);
    }
  }
  return [...found];
}
