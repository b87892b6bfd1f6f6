import { type CopySource, copyUpstreams, type NatsIdentity, type Stream } from '@tributary/crds';

/**
 * The NATS identity of a Stream's ingest pod: its own subjects, plus the subjects its copy:// inputs
 * read (exactly those, nothing wider). `copyFrom` names the rung read of an upstream with a ladder
 * (see copySources); without it each upstream's own `.av` is granted.
 */
export function streamIdentity(
  stream: Stream,
  copyFrom: readonly CopySource[] = copyUpstreams(stream.spec.inputs).map((upstream) => ({
    stream: upstream,
  })),
): NatsIdentity & { kind: 'stream' } {
  const { name, namespace = '' } = stream.metadata;
  return { kind: 'stream', namespace, stream: name, ...(copyFrom.length > 0 && { copyFrom }) };
}
