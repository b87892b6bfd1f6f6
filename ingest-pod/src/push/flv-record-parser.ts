import type { FlvTag } from '../flv/flv-tag.js';
import { FLV_RECORD_HEADER_BYTES } from '../push-relay/relay-wire.js';

/** FLV's DataSize is 24 bits: a larger size means the byte stream is out of step. */
const MAX_RECORD_BYTES = 0xff_ff_ff;
const RECORD_TYPES = new Set([8, 9, 18]);

export type FlvRecordResult = { tags: FlvTag[]; malformed?: string };

/**
 * Cuts the relay's FLV record stream (type u8, timestamp u32, size u32, data) into tags, whatever
 * the chunking. A record's bytes are copied once, into a buffer of its size, so a record cut into
 * many small pieces costs no more than one that arrived whole.
 */
export class FlvRecordParser {
  readonly #header = new Uint8Array(FLV_RECORD_HEADER_BYTES);
  #headerFilled = 0;
  #body: Uint8Array | undefined;
  #bodyFilled = 0;

  /** Whether a record was begun and not finished. */
  get partial(): boolean {
    return this.#headerFilled > 0;
  }

  /** Drops a partly received record (after loss). */
  reset(): void {
    this.#headerFilled = 0;
    this.#body = undefined;
    this.#bodyFilled = 0;
  }

  /** Tags completed by `chunk`; a header that cannot be a record resets the parser and says why. */
  push(chunk: Uint8Array): FlvRecordResult {
    const tags: FlvTag[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#headerFilled < FLV_RECORD_HEADER_BYTES) {
        const take = Math.min(FLV_RECORD_HEADER_BYTES - this.#headerFilled, chunk.length - pos);
        this.#header.set(chunk.subarray(pos, pos + take), this.#headerFilled);
        this.#headerFilled += take;
        pos += take;
        if (this.#headerFilled < FLV_RECORD_HEADER_BYTES) break;
        const problem = this.#startBody();
        if (problem !== undefined) {
          this.reset();
          return { tags, malformed: problem };
        }
      }
      const body = this.#body!;
      const take = Math.min(body.length - this.#bodyFilled, chunk.length - pos);
      body.set(chunk.subarray(pos, pos + take), this.#bodyFilled);
      this.#bodyFilled += take;
      pos += take;
      if (this.#bodyFilled === body.length) {
        const view = new DataView(this.#header.buffer);
        tags.push({ type: this.#header[0] as FlvTag['type'], timestamp: view.getUint32(1), data: body });
        this.reset();
      }
    }
    return { tags };
  }

  #startBody(): string | undefined {
    const view = new DataView(this.#header.buffer);
    const type = this.#header[0] ?? 0;
    const size = view.getUint32(5);
    if (!RECORD_TYPES.has(type)) return `FLV record of type ${type}`;
    if (size > MAX_RECORD_BYTES) return `FLV record of ${size} bytes`;
    this.#body = new Uint8Array(size);
    this.#bodyFilled = 0;
    return undefined;
  }
}
