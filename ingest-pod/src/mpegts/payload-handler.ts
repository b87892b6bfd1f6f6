import type { AVPacket } from '../avpacket.js';

/** What the packet loop hands the payload of one PID to: a PES assembler or a section reader. */
export interface PayloadHandler {
  /** The TS payload data[start..end); `unitStart` is payload_unit_start_indicator. */
  payload(data: Buffer, start: number, end: number, unitStart: boolean, out: AVPacket[]): void;
  /** Continuity was lost: drop the partial unit. */
  abort(): void;
  /** discontinuity_indicator was set: timestamps may jump. */
  discontinuity(): void;
  /** End of stream: emit what is whole, report what is not. */
  flush(out: AVPacket[]): void;
  readonly bufferedBytes: number;
}

/** Per-PID continuity state in front of a handler. */
export class PidChannel {
  lastCc = -1;
  duplicateSeen = false;

  constructor(
    readonly pid: number,
    readonly handler: PayloadHandler,
  ) {}
}
