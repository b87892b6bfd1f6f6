import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advancePartLimit,
  parseReloadRequest,
  reloadDecision,
} from '../../src/buffer/hls/blocking-reload.js';

// Segment 10 in progress with parts 0..2 complete (part 3 is the hinted one); segment 9 complete.
const EDGE = { msn: 10, parts: 3 };
const LIMIT = advancePartLimit(0.5);

describe('blocking playlist reload', () => {
  it('allows three part targets of parts ahead', () => {
    assert.equal(advancePartLimit(0.5), 6);
    assert.equal(advancePartLimit(0.333), 9);
    assert.equal(advancePartLimit(1), 3);
    assert.equal(advancePartLimit(2), 3);
  });

  it('answers at once what the playlist already holds', () => {
    for (const request of [
      { msn: 9 },
      { msn: 3 },
      { msn: 9, part: 7 },
      { msn: 10, part: 0 },
      { msn: 10, part: 2 },
    ])
      assert.equal(reloadDecision(EDGE, request, LIMIT), 'ready', JSON.stringify(request));
  });

  it('waits for the segment or part in progress and the ones just after it', () => {
    for (const request of [
      { msn: 10 },
      { msn: 11 },
      { msn: 10, part: 3 },
      { msn: 10, part: 8 },
      { msn: 11, part: 0 },
      { msn: 11, part: 4 },
    ])
      assert.equal(reloadDecision(EDGE, request, LIMIT), 'wait', JSON.stringify(request));
  });

  it('refuses an MSN past the last segment plus two, or a part past the Advance Part Limit', () => {
    for (const request of [
      { msn: 12 },
      { msn: 12, part: 0 },
      { msn: 10, part: 9 },
      { msn: 11, part: 6 },
      { msn: 500 },
    ])
      assert.equal(reloadDecision(EDGE, request, LIMIT), 'bad-request', JSON.stringify(request));
  });

  it('reads _HLS_msn and _HLS_part, naming the bad one', () => {
    assert.equal(parseReloadRequest(new URLSearchParams('')), undefined);
    assert.deepEqual(parseReloadRequest(new URLSearchParams('_HLS_msn=12')), { msn: 12 });
    assert.deepEqual(parseReloadRequest(new URLSearchParams('_HLS_msn=12&_HLS_part=0')), {
      msn: 12,
      part: 0,
    });
    assert.match(
      (parseReloadRequest(new URLSearchParams('_HLS_part=1')) as { error: string }).error,
      /_HLS_msn/,
    );
    assert.match(
      (parseReloadRequest(new URLSearchParams('_HLS_msn=-1')) as { error: string }).error,
      /_HLS_msn/,
    );
    assert.match(
      (parseReloadRequest(new URLSearchParams('_HLS_msn=4&_HLS_part=x')) as { error: string }).error,
      /_HLS_part/,
    );
  });
});
