// Audio access units: one AVPacket per frame, each with its own PTS. The PES PTS belongs to the
// first frame that starts in that PES; later frames count samples from it. A frame cut by the
// end of a PES waits for the next one, and frames that start before the new PES's first frame
// keep counting from the old PTS.
import type { AVPacket, TrackInfo } from '../../avpacket.js';
import type { AudioSyntax } from './audio-syntax.js';
import type { ElementaryParser, MalformedSink } from './elementary-parser.js';

export class AudioParser implements ElementaryParser {
  readonly isVideo = false;
  readonly track: TrackInfo;
  /** Start of a frame the last PES cut off. */
  private pending: Uint8Array | null = null;
  private basePts = 0;
  private samplesSinceBase = 0;
  private sampleRate = 0;
  private lastFramePts = 0;

  constructor(
    pid: number,
    codec: TrackInfo['codec'],
    private readonly syntax: AudioSyntax,
    private readonly malformed: MalformedSink,
  ) {
    this.track = { trackId: pid, codec };
  }

  get bufferedBytes(): number {
    return this.pending?.length ?? 0;
  }

  pes(payload: Uint8Array, pts: number, _dts: number, out: AVPacket[]): void {
    let data = payload;
    let ptsFrom = 0;
    if (this.pending) {
      ptsFrom = this.pending.length;
      data = Buffer.concat([this.pending, payload]);
      this.pending = null;
    }
    let rebased = pts < 0;
    let pos = 0;
    let skipped = 0;
    let last: AVPacket | null = null;
    let lastStart = 0;
    const headerBytes = this.syntax.headerBytes;
    while (pos + headerBytes <= data.length) {
      const frame = this.syntax.read(data, pos);
      if (!frame || frame.length < headerBytes) {
        pos++;
        skipped++;
        continue;
      }
      if (pos + frame.length > data.length) break;
      if (frame.dependent && last) {
        last.data = data.subarray(lastStart, pos + frame.length);
        pos += frame.length;
        continue;
      }
      if (!rebased && pos >= ptsFrom) {
        rebased = true;
        this.basePts = pts;
        this.samplesSinceBase = 0;
        this.sampleRate = frame.sampleRate;
      }
      if (frame.sampleRate !== this.sampleRate) {
        if (this.sampleRate > 0)
          this.basePts += Math.round((this.samplesSinceBase * 90000) / this.sampleRate);
        this.samplesSinceBase = 0;
        this.sampleRate = frame.sampleRate;
      }
      const framePts = frame.dependent
        ? this.lastFramePts
        : this.basePts + Math.round((this.samplesSinceBase * 90000) / this.sampleRate);
      last = {
        codec: frame.codec,
        trackId: this.track.trackId,
        pts: framePts,
        dts: framePts,
        key: false,
        data: data.subarray(pos, pos + frame.length),
      };
      out.push(last);
      lastStart = pos;
      this.lastFramePts = framePts;
      if (!frame.dependent) this.samplesSinceBase += frame.samples;
      this.describe(frame.codec, frame.sampleRate, frame.channels);
      pos += frame.length;
    }
    if (skipped > 0) this.malformed(`audio sync lost: ${skipped} bytes skipped`);
    if (pos < data.length) this.pending = data.subarray(pos);
  }

  flush(): void {
    if (this.pending) this.malformed(`audio frame cut short at end of stream (${this.pending.length} bytes)`);
    this.pending = null;
  }

  private describe(codec: TrackInfo['codec'], sampleRate: number, channels: number): void {
    const t = this.track;
    if (t.codec !== codec) t.codec = codec;
    if (t.sampleRate !== sampleRate) t.sampleRate = sampleRate;
    if (t.channels !== channels) t.channels = channels;
  }
}
