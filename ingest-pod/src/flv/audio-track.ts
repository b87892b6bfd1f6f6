// The audio track: AAC frames get the ADTS header their AudioSpecificConfig implies (frames
// before any config are dropped and counted); MP3 passes through. PTS = DTS = tag time.
import type { AVPacket, Codec } from '../avpacket.js';
import { MPEG_AUDIO_SYNTAX } from '../mpegts/elementary/mpeg-audio.js';
import {
  type AacConfig,
  ADTS_MAX_PAYLOAD,
  adtsProblem,
  readAudioSpecificConfig,
  withAdtsHeader,
} from './aac-config.js';
import { FLV_TRACK_ID, type FlvReporter } from './flv-api.js';

export class AudioTrack {
  codec: Codec | undefined;
  sampleRate: number | undefined;
  channels: number | undefined;
  /** Why ADTS cannot carry the AAC the latest config describes (the track is then unsupported). */
  unsupportedAac: string | null = null;
  private config: AacConfig | null = null;

  constructor(private readonly reporter: FlvReporter) {}

  aacConfig(body: Uint8Array): void {
    // ffmpeg relaying ADTS (a TS source) to RTMP sends an empty config first, then the real one.
    if (body.length === 0) return;
    const config = readAudioSpecificConfig(body);
    if (typeof config === 'string') {
      this.reporter.malformed('audio', config);
      return;
    }
    this.unsupportedAac = adtsProblem(config);
    this.config = this.unsupportedAac === null ? config : null;
    if (this.config) this.setInfo('aac', config.sampleRate, config.channels || undefined);
  }

  aacFrame(raw: Uint8Array, ticks: number, out: AVPacket[]): void {
    if (this.config === null) {
      this.reporter.stats.audioBeforeConfig++;
      return;
    }
    if (raw.length === 0 || raw.length > ADTS_MAX_PAYLOAD) {
      this.reporter.malformed('audio', `AAC frame of ${raw.length} bytes`);
      return;
    }
    this.emit(out, 'aac', withAdtsHeader(this.config, raw), ticks);
  }

  /** `sampleRate`/`channels` from the FLV header count only when the frame header is unreadable. */
  mp3Frame(frame: Uint8Array, sampleRate: number, channels: number, ticks: number, out: AVPacket[]): void {
    // A switch away from AAC: a later return to AAC waits for its config again.
    this.config = null;
    this.unsupportedAac = null;
    if (frame.length === 0) {
      this.reporter.malformed('audio', 'empty MP3 frame');
      return;
    }
    const header = frame.length >= MPEG_AUDIO_SYNTAX.headerBytes ? MPEG_AUDIO_SYNTAX.read(frame, 0) : null;
    this.setInfo(
      'mp3',
      header?.sampleRate ?? (sampleRate || undefined),
      header?.channels ?? (channels || undefined),
    );
    this.emit(out, 'mp3', frame.slice(), ticks);
  }

  private setInfo(codec: Codec, sampleRate: number | undefined, channels: number | undefined): void {
    this.codec = codec;
    this.sampleRate = sampleRate;
    this.channels = channels;
  }

  /** `key` stays false for audio, as the MPEG-TS demuxer has it: only video keyframes matter downstream. */
  private emit(out: AVPacket[], codec: Codec, data: Uint8Array, ticks: number): void {
    out.push({ codec, trackId: FLV_TRACK_ID.audio, pts: ticks, dts: ticks, key: false, data });
  }
}
