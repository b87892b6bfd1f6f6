// A PID that carries sections (PAT, PMT, SCTE-35): reassembles them, checks their CRC and hands
// the intact ones on.
import type { AVPacket } from '../avpacket.js';
import { sectionCrcOk } from './crc32.js';
import type { DemuxContext } from './demux-context.js';
import type { PayloadHandler } from './payload-handler.js';
import { SectionAssembler } from './section-assembler.js';

export type SectionTable = 'pat' | 'pmt' | 'scte35';

/** Called with an intact section; the view is only valid during the call. */
export type SectionHandler = (section: Uint8Array, out: AVPacket[]) => void;

const MAX_PSI_SECTION = 1024;
const MAX_PRIVATE_SECTION = 4096;

export class SectionReader implements PayloadHandler {
  private readonly assembler: SectionAssembler;
  private out: AVPacket[] = [];

  constructor(
    readonly pid: number,
    readonly table: SectionTable,
    ctx: DemuxContext,
    onSection: SectionHandler,
  ) {
    const max = table === 'scte35' ? MAX_PRIVATE_SECTION : MAX_PSI_SECTION;
    this.assembler = new SectionAssembler(max, {
      section: (section) => {
        if (sectionCrcOk(section)) onSection(section, this.out);
        else ctx.report({ type: 'crc-error', pid, table });
      },
      malformed: (detail) => ctx.malformed(pid, detail),
    });
  }

  get bufferedBytes(): number {
    return this.assembler.bufferedBytes;
  }

  payload(data: Buffer, start: number, end: number, unitStart: boolean, out: AVPacket[]): void {
    this.out = out;
    this.assembler.push(data, start, end, unitStart);
    this.out = [];
  }

  abort(): void {
    this.assembler.reset();
  }

  discontinuity(): void {}

  flush(): void {
    this.assembler.reset();
  }
}
