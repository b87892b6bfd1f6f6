import { DEFAULT_SUBJECT_PREFIX, parseStreamSubject } from '@tributary/crds';
import { BufferedStream } from './buffered-stream.js';
import type { StreamRingOptions } from './stream-ring.js';

export interface BufferHubOptions extends StreamRingOptions {
  prefix?: string;
  /** A stream silent this long is forgotten (its ring freed). */
  forgetAfterMs: number;
}

/** The 404 for a stream the buffer does not hold. */
export function unknownStreamError(namespace: string, name: string): string {
  return `no stream ${namespace}/${name} in this buffer: is it live, and is namespace ${namespace} one the buffer serves?`;
}

/** Every stream the buffer pod holds, keyed `<namespace>/<name>`, fed from `.av` messages. */
export class BufferHub {
  readonly #options: BufferHubOptions;
  readonly #streams = new Map<string, BufferedStream>();

  constructor(options: BufferHubOptions) {
    this.#options = options;
  }

  /** Routes one `.av` message to its stream; other subjects are ignored. */
  receive(subject: string, message: Uint8Array, now: number): void {
    const parsed = parseStreamSubject(subject, this.#options.prefix ?? DEFAULT_SUBJECT_PREFIX);
    if (parsed?.channel !== 'av') return;
    const key = `${parsed.namespace}/${parsed.stream}`;
    let stream = this.#streams.get(key);
    if (stream === undefined) {
      stream = new BufferedStream(parsed.namespace, parsed.stream, this.#options);
      this.#streams.set(key, stream);
    }
    stream.receive(message, now);
  }

  get(namespace: string, name: string): BufferedStream | undefined {
    return this.#streams.get(`${namespace}/${name}`);
  }

  get streams(): IterableIterator<BufferedStream> {
    return this.#streams.values();
  }

  /** Frees the streams silent for longer than `forgetAfterMs` that nobody is watching. */
  forgetSilent(now: number): void {
    for (const [key, stream] of this.#streams) {
      const silentMs = now - (stream.lastPacketAt ?? 0);
      if (silentMs > this.#options.forgetAfterMs && stream.ring.listeners === 0) this.#streams.delete(key);
    }
  }
}
