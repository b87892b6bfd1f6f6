// SCTE-35 cues (stream_type 0x86): each intact splice_info_section becomes an AVPacket carrying the
// section as sent. Its PTS/DTS is where the cue sits in the program's timeline: the PTS of the
// latest video PES of the program when it arrived (of any PES when the program has no video).
// The splice time itself stays inside the section, relative to pts_adjustment as SCTE-35 defines.
// Cues that arrive before the program has any timestamp wait (up to MAX_WAITING) for the first.
import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { DemuxContext } from './demux-context.js';
import { SectionReader } from './section-reader.js';
import type { ProgramClock } from './timestamp-unwrap.js';

const TABLE_SPLICE_INFO = 0xfc;
const MAX_WAITING = 16;

export function createScte35Reader(
  pid: number,
  clock: ProgramClock,
  ctx: DemuxContext,
): { reader: SectionReader; track: TrackInfo } {
  const track: TrackInfo = { trackId: pid, codec: 'scte35' };
  const reader = new SectionReader(pid, 'scte35', ctx, (section, out) => {
    if (section[0] !== TABLE_SPLICE_INFO) {
      ctx.malformed(pid, `table_id 0x${section[0]!.toString(16)} on an SCTE-35 PID`);
      return;
    }
    const cue: AVPacket = {
      codec: 'scte35',
      trackId: pid,
      pts: 0,
      dts: 0,
      key: false,
      data: section.slice(),
    };
    if (clock.cuePts >= 0) {
      cue.pts = cue.dts = clock.cuePts;
      out.push(cue);
    } else if (clock.waitingCues.length < MAX_WAITING) clock.waitingCues.push(cue);
    else ctx.malformed(pid, 'SCTE-35 cue dropped: too many before the first timestamp');
  });
  return { reader, track };
}

/** Emits cues that waited for the program's first timestamp. */
export function releaseWaitingCues(clock: ProgramClock, out: AVPacket[]): void {
  for (const cue of clock.waitingCues) {
    cue.pts = cue.dts = Math.max(clock.cuePts, 0);
    out.push(cue);
  }
  clock.waitingCues.length = 0;
}
