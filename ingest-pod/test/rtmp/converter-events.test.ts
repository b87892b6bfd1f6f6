import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { converterEventReporter } from '../../src/rtmp/converter-events.js';

test('converter events become demux events, one per kind per second, the rest counted into the next', () => {
  const events: ReaderEvent[] = [];
  let now = 0;
  const report = converterEventReporter(
    (e) => events.push(e),
    () => now,
  );
  report({ type: 'unsupported', media: 'video', codec: 'vp6' });
  report({ type: 'malformed', media: 'audio', detail: 'short AAC header' });
  report({ type: 'malformed', media: 'audio', detail: 'short AAC header' });
  report({ type: 'malformed', media: 'audio', detail: 'short AAC header' });
  now = 1000;
  report({ type: 'malformed', media: 'audio', detail: 'short AAC header' });
  report({ type: 'keyframe-without-parameter-sets', codec: 'h264' });
  assert.deepEqual(events, [
    { type: 'demux', detail: 'unsupported video codec vp6: its tags are dropped' },
    { type: 'demux', detail: 'malformed audio tag: short AAC header' },
    { type: 'demux', detail: 'malformed audio tag: short AAC header (and 2 more like it)' },
    { type: 'demux', detail: 'dropped a h264 keyframe: no parameter sets had arrived' },
  ]);
});
