// FLV tags (from RTMP pull, RTMP push or an FLV file) in, AVPackets out. Pure and total: any
// bytes in any tag give packets, counters or events, never an exception.
//
// Track ids are fixed: 0 for video, 1 for audio (FLV_TRACK_ID). DTS is the tag time unwrapped
// past the 32-bit millisecond wrap; video PTS is DTS plus the signed composition offset (it may
// be below DTS, and below zero at the very start); audio PTS = DTS. Both in 90 kHz ticks.
import type { Amf0Value } from '../amf0/amf0.js';
import type { AVPacket, TrackInfo } from '../avpacket.js';
import { readAudioTagHeader } from './audio-tag-header.js';
import { AudioTrack } from './audio-track.js';
import { Av1VideoTrack } from './av1-video-track.js';
import {
  FLV_TRACK_ID,
  type FlvConverterOptions,
  FlvReporter,
  type FlvStats,
  type UnsupportedTrack,
} from './flv-api.js';
import { FLV_TAG, type FlvTag } from './flv-tag.js';
import { MillisecondUnwrapper } from './millisecond-unwrap.js';
import { NalVideoTrack } from './nal-video-track.js';
import { readScriptTag } from './script-tag.js';
import { type FlvVideoCodec, readVideoTagHeader } from './video-tag-header.js';
import type { VideoTrack } from './video-track.js';

const TICKS_PER_MS = 90;

export class FlvConverter {
  private reporter!: FlvReporter;
  private readonly clock = new MillisecondUnwrapper();
  private video: VideoTrack | undefined;
  private audio: AudioTrack | undefined;
  private unsupported: { video?: string; audio?: string } = {};
  private meta: Record<string, Amf0Value> | undefined;
  private trackList: TrackInfo[] = [];
  private tracksKey = '';
  private revision = 0;

  constructor(private readonly options: FlvConverterOptions = {}) {
    this.reset();
  }

  /** Forgets everything a session taught (configurations, clock, tracks, metadata, counters). */
  reset(): void {
    this.reporter = new FlvReporter(this.options.onEvent);
    this.clock.reset();
    this.video = undefined;
    this.audio = undefined;
    this.unsupported = {};
    this.meta = undefined;
    this.refreshTracks();
  }

  /** Video (id 0) and audio (id 1) tracks of supported codecs, as far as they are known. */
  get tracks(): readonly TrackInfo[] {
    return this.trackList;
  }

  /** Changes whenever `tracks` changes (never returns to an earlier value, even across reset). */
  get tracksRevision(): number {
    return this.revision;
  }

  /** Tracks whose codec the converter cannot carry; their tags count in `stats.unsupported`. */
  get unsupportedTracks(): readonly UnsupportedTrack[] {
    const list: UnsupportedTrack[] = [];
    if (this.unsupported.video) list.push({ media: 'video', codec: this.unsupported.video });
    if (this.unsupported.audio) list.push({ media: 'audio', codec: this.unsupported.audio });
    return list;
  }

  /** The latest onMetaData object, for probe. */
  get metadata(): Readonly<Record<string, Amf0Value>> | undefined {
    return this.meta;
  }

  get stats(): Readonly<FlvStats> {
    return { ...this.reporter.stats };
  }

  push(tag: FlvTag): AVPacket[] {
    const out: AVPacket[] = [];
    this.reporter.stats.tags++;
    switch (tag.type) {
      case FLV_TAG.video:
        this.videoTag(tag, out);
        break;
      case FLV_TAG.audio:
        this.audioTag(tag, out);
        break;
      case FLV_TAG.script:
        this.scriptTag(tag);
        break;
      default:
        this.reporter.malformed('other', `FLV tag type ${tag.type as number}`);
    }
    this.refreshTracks();
    this.reporter.stats.packets += out.length;
    return out;
  }

  private videoTag(tag: FlvTag, out: AVPacket[]): void {
    const h = readVideoTagHeader(tag.data);
    switch (h.kind) {
      case 'ignored':
        break;
      case 'malformed':
        this.reporter.malformed('video', h.detail);
        break;
      case 'unsupported':
        this.video = undefined;
        this.markUnsupported('video', h.codec);
        break;
      case 'config':
        this.videoTrack(h.codec).config(h.body);
        break;
      case 'frame': {
        const track = this.videoTrack(h.codec);
        const dts = this.clock.unwrap(tag.timestamp);
        track.frame(h.body, h.key, dts * TICKS_PER_MS, (dts + h.cts) * TICKS_PER_MS, out);
      }
    }
  }

  /** The track for `codec`; a change of codec starts a fresh one (nothing carries over). */
  private videoTrack(codec: FlvVideoCodec): VideoTrack {
    delete this.unsupported.video;
    if (this.video?.codec === codec) return this.video;
    this.video = codec === 'av1' ? new Av1VideoTrack(this.reporter) : new NalVideoTrack(codec, this.reporter);
    return this.video;
  }

  private audioTag(tag: FlvTag, out: AVPacket[]): void {
    const h = readAudioTagHeader(tag.data);
    if (h.kind === 'ignored') return;
    if (h.kind === 'malformed') {
      this.reporter.malformed('audio', h.detail);
      return;
    }
    if (h.kind === 'unsupported') {
      this.audio = undefined;
      this.markUnsupported('audio', h.codec);
      return;
    }
    this.audio ??= new AudioTrack(this.reporter);
    const track = this.audio;
    if (h.kind === 'aac-config') track.aacConfig(h.body);
    if (h.kind !== 'mp3' && track.unsupportedAac !== null) {
      this.markUnsupported('audio', track.unsupportedAac);
      return;
    }
    delete this.unsupported.audio;
    if (h.kind === 'aac-config') return;
    const ticks = this.clock.unwrap(tag.timestamp) * TICKS_PER_MS;
    if (h.kind === 'aac') track.aacFrame(h.body, ticks, out);
    else track.mp3Frame(h.body, h.sampleRate, h.channels, ticks, out);
  }

  private scriptTag(tag: FlvTag): void {
    const content = readScriptTag(tag.data);
    if (content.kind === 'metadata') this.meta = content.metadata;
    else if (content.kind === 'malformed') this.reporter.malformed('script', content.detail);
  }

  private markUnsupported(media: 'video' | 'audio', codec: string): void {
    this.reporter.stats.unsupported++;
    if (this.unsupported[media] === codec) return;
    this.unsupported[media] = codec;
    this.reporter.unsupported({ media, codec });
  }

  private refreshTracks(): void {
    const list: TrackInfo[] = [];
    const v = this.video;
    if (v) {
      const info: TrackInfo = { trackId: FLV_TRACK_ID.video, codec: v.codec };
      if (v.width !== undefined && v.height !== undefined) {
        info.width = v.width;
        info.height = v.height;
      }
      list.push(info);
    }
    const a = this.audio;
    if (a?.codec !== undefined && this.unsupported.audio === undefined) {
      const info: TrackInfo = { trackId: FLV_TRACK_ID.audio, codec: a.codec };
      if (a.sampleRate !== undefined) info.sampleRate = a.sampleRate;
      if (a.channels !== undefined) info.channels = a.channels;
      list.push(info);
    }
    const key = JSON.stringify(list);
    if (key === this.tracksKey) return;
    this.tracksKey = key;
    this.trackList = list;
    this.revision++;
  }
}
