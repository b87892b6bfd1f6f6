// Runs tags through a fresh FlvConverter and keeps everything it said.
import type { AVPacket } from '../../src/avpacket.js';
import type { FlvEvent } from '../../src/flv/flv-api.js';
import { FlvConverter } from '../../src/flv/flv-converter.js';
import type { FlvTag } from '../../src/flv/flv-tag.js';

export interface ConverterRun {
  converter: FlvConverter;
  packets: AVPacket[];
  events: FlvEvent[];
  /** Feeds more tags to the same converter; returns the packets they gave. */
  push(...tags: FlvTag[]): AVPacket[];
}

export function runConverter(...tags: FlvTag[]): ConverterRun {
  const events: FlvEvent[] = [];
  const converter = new FlvConverter({ onEvent: (e) => events.push(e) });
  const packets: AVPacket[] = [];
  const push = (...more: FlvTag[]): AVPacket[] => {
    const out: AVPacket[] = [];
    for (const t of more) out.push(...converter.push(t));
    packets.push(...out);
    return out;
  };
  push(...tags);
  return { converter, packets, events, push };
}
