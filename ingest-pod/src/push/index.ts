// Push inputs: the publisher sessions the push-listener relays to this pod, read like any input.
import { redactUrl } from '@tributary/crds';
import type { TsFilter } from '../mpegts/demuxer-api.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, ReaderContext, ReaderInput } from '../reader/reader-api.js';
import { PushReader } from './push-reader.js';

export { NO_PUSHER, PushReader, type PushReaderOptions } from './push-reader.js';
export { type RelayItem, RelayReassembler, type RelayStats } from './relay-reassembler.js';

/** The reader of a push input; a permanent ReaderError where this process receives no relay. */
export function createPushReader(input: ReaderInput, context: ReaderContext, filter: TsFilter): InputReader {
  if (context.push === undefined) {
    throw new ReaderError(
      `${redactUrl(input.url)} is a push address: encoders publish it to the push-listener, and only an ingest pod receives what it relays`,
      false,
    );
  }
  return new PushReader({
    feed: context.push,
    filter,
    ...(context.onEvent !== undefined && { onEvent: context.onEvent }),
  });
}
