// copy:// inputs: another Stream's AVPackets, read from its NATS subject.

import type { NatsConnection } from '@nats-io/transport-node';
import { classify, copySubjects } from '@tributary/crds';
import { ReaderError } from '../reader/packet-reader.js';
import type { CopyFeed, InputReader, ReaderContext, ReaderInput } from '../reader/reader-api.js';
import { CopyReader } from './copy-reader.js';

export { CopyReader, type CopyReaderOptions } from './copy-reader.js';

/** The reader of a copy:// input; a permanent ReaderError where this process has no NATS connection. */
export function createCopyReader(input: ReaderInput, context: ReaderContext): InputReader {
  const kind = classify(input.url);
  if (!kind.ok || kind.kind !== 'copy') throw new ReaderError(`${input.url} is not a copy:// url`, false);
  if (context.copy === undefined) {
    throw new ReaderError(
      `copy://${kind.upstream} reads another Stream from NATS, which only an ingest pod is connected to`,
      false,
    );
  }
  return new CopyReader({
    upstream: kind.upstream,
    rung: input.copyRung,
    feed: context.copy,
    ...(context.onEvent !== undefined && { onEvent: context.onEvent }),
  });
}

/** Copy inputs' view of the pod's NATS connection: Streams of `namespace`, under `prefix`. */
export function natsCopyFeed(nc: NatsConnection, prefix: string, namespace: string): CopyFeed {
  return {
    subjectsOf: (source) => copySubjects(prefix, namespace, source),
    subscribe(subject, onMessage, onError) {
      const subscription = nc.subscribe(subject, {
        callback: (error, message) => {
          if (error !== null) onError(error);
          else onMessage(message.data);
        },
      });
      // A refused subscription (permissions) may also surface as the subscription closing.
      subscription.closed.then(
        (error) => {
          if (error) onError(error);
        },
        (error: unknown) => onError(error instanceof Error ? error : new Error(String(error))),
      );
      return { unsubscribe: () => subscription.unsubscribe() };
    },
  };
}
