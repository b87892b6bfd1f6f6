// MP4 samples to AVPackets with the FLV tracks' rules (the payloads are the same: length-prefixed
// NAL units after an avcC/hvcC record, raw AAC after an AudioSpecificConfig), so parameter sets in
// front of keyframes, ADTS headers and picture sizes come out exactly as for RTMP.
import type { AVPacket, TrackInfo } from '../avpacket.js';
import { AudioTrack } from '../flv/audio-track.js';
import type { FlvReporter } from '../flv/flv-api.js';
import { NalVideoTrack } from '../flv/nal-video-track.js';
import type { Mp4TrackCodec } from './mp4-movie.js';

type SupportedCodec = Exclude<Mp4TrackCodec, { kind: 'unsupported' }>;

/** Pure: one supported MP4 track's samples in, AVPackets on track id `trackId` out. */
export class Mp4SampleConverter {
  private readonly video: NalVideoTrack | undefined;
  private readonly audio: AudioTrack | undefined;
  private readonly scratch: AVPacket[] = [];

  constructor(
    readonly trackId: number,
    codec: SupportedCodec,
    reporter: FlvReporter,
  ) {
    if (codec.kind === 'aac') {
      this.audio = new AudioTrack(reporter);
      this.audio.aacConfig(codec.config);
    } else {
      this.video = new NalVideoTrack(codec.kind, reporter);
      this.video.config(codec.config);
    }
  }

  /** Why the track cannot be carried after all (AAC that ADTS cannot describe), or null. */
  get problem(): string | null {
    return this.audio?.unsupportedAac ?? null;
  }

  get track(): TrackInfo | undefined {
    const v = this.video;
    if (v !== undefined) {
      const info: TrackInfo = { trackId: this.trackId, codec: v.codec };
      if (v.width !== undefined && v.height !== undefined) {
        info.width = v.width;
        info.height = v.height;
      }
      return info;
    }
    const a = this.audio;
    if (a?.codec === undefined) return undefined;
    const info: TrackInfo = { trackId: this.trackId, codec: a.codec };
    if (a.sampleRate !== undefined) info.sampleRate = a.sampleRate;
    if (a.channels !== undefined) info.channels = a.channels;
    return info;
  }

  /** Appends the packet of one sample (none when the rules drop it) to `out`. */
  sample(data: Uint8Array, sync: boolean, dts: number, pts: number, out: AVPacket[]): void {
    const made = this.scratch;
    made.length = 0;
    if (this.video !== undefined) this.video.frame(data, sync, dts, pts, made);
    else this.audio?.aacFrame(data, dts, made);
    for (const p of made) out.push({ ...p, trackId: this.trackId });
  }
}
