import { copyUpstreams, type NatsIdentity, type Stream } from '@tributary/crds';

/**
 * The NATS identity of a Stream's ingest pod: its own subjects, plus the subjects of the Streams
 * its copy:// inputs read (exactly those, nothing wider).
 */
export function streamIdentity(stream: Stream): NatsIdentity & { kind: 'stream' } {
  const { name, namespace = '' } = stream.metadata;
  const upstreams = copyUpstreams(stream.spec.inputs);
  return {
    kind: 'stream',
    namespace,
    stream: name,
    ...(upstreams.length > 0 && { copyFrom: upstreams.map((upstream) => ({ stream: upstream })) }),
  };
}
