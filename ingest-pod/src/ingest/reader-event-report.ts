import type { MediaTracker } from '../media-stats/media-tracker.js';
import type { Logger } from '../observability/logger.js';
import type { ReaderEvent } from '../reader/reader-api.js';

/** Where a reader's notices go: tracks and unknown streams to the media measurements, the rest to the log. */
export function reportReaderEvent(
  event: ReaderEvent,
  input: number,
  media: Pick<MediaTracker, 'setTracks' | 'recordUnknownStream'>,
  log: Logger,
): void {
  switch (event.type) {
    case 'tracks':
      media.setTracks(input, event.tracks);
      log.info({ input, tracks: event.tracks }, 'input tracks');
      return;
    case 'unknown-stream':
      media.recordUnknownStream(input, { pid: event.pid, streamType: event.streamType });
      log.warn({ input, pid: event.pid, streamType: event.streamType }, 'unsupported elementary stream');
      return;
    case 'demux':
      log.warn({ input, detail: event.detail }, 'demux notice');
      return;
    case 'segment-skipped':
      log.warn({ input, uri: event.uri, reason: event.reason }, 'HLS segment skipped');
      return;
    case 'segments-missed':
      log.warn({ input, count: event.count }, 'HLS segments left the playlist before they were read');
      return;
    case 'playlist-retry':
      log.warn({ input, attempt: event.attempt, reason: event.reason }, 'HLS playlist retry');
      return;
    case 'playlist-reset':
      log.warn({ input, reason: event.reason }, 'HLS playlist reset');
      return;
    case 'target-duration':
    case 'source-absent':
      return;
  }
}
