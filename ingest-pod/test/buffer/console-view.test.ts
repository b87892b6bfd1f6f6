import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BitrateHistory } from '../../src/buffer/bitrate-history.js';
import { consoleStream, STATUS_STALE_MS } from '../../src/buffer/console/console-view.js';
import { StreamBoard } from '../../src/buffer/console/stream-board.js';
import type { StatusDocument } from '../../src/status/status-document.js';

const T0 = Date.UTC(2026, 11, 3, 12);
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function statusDoc(change: Partial<StatusDocument> = {}): StatusDocument {
  const input = (priority: number, url: string, state: 'active' | 'standby' | 'degraded') => ({
    priority,
    url,
    state,
    lastPacketTime: null,
    degradedSince: null,
    nextProbeAt: null,
    bitrateKbps: state === 'active' ? 900 : 0,
    tracks: [],
    unknownStreams: [],
    errors: state === 'degraded' ? [{ message: 'no packet for 1 s', at: new Date(T0).toISOString() }] : [],
  });
  return {
    stream: { namespace: 'news', name: 'cam' },
    at: new Date(T0).toISOString(),
    activeInput: 0,
    live: true,
    overrideInput: null,
    exhausted: false,
    switching: null,
    inputs: [input(0, 'udp://239.1.1.1:5000', 'active'), input(1, 'publish://', 'standby')],
    switches: [{ at: new Date(T0).toISOString(), from: -1, to: 0, reason: 'initial', detail: '' }],
    configGeneration: 1,
    ...change,
  };
}

describe('console view', () => {
  it('takes status and events by subject, refusing what is not the promised JSON', () => {
    const board = new StreamBoard();
    assert.equal(board.receive('tributary.news.cam.status', encode(statusDoc()), T0), true);
    assert.equal(
      board.receive(
        'tributary.news.cam.events',
        encode({ type: 'input.connected', at: '', payload: {} }),
        T0,
      ),
      true,
    );
    assert.equal(board.receive('tributary.news.cam.status', encode({ nope: 1 }), T0), false);
    assert.equal(
      board.receive('tributary.news.cam.events', new TextEncoder().encode('{not json'), T0),
      false,
    );
    assert.equal(board.receive('tributary.news.cam.av', encode({}), T0), false);
    assert.equal(board.badMessages, 2);
    assert.equal(board.get('news', 'cam')?.events.length, 1);
    board.forgetSilentSince(T0 + 1);
    assert.equal(board.get('news', 'cam'), undefined);
  });

  it('phases a stream by the same rule as the operator, Unknown once its reports stop', () => {
    const board = new StreamBoard();
    const key = { namespace: 'news', name: 'cam' };
    const view = (now: number) => consoleStream(key, board.get('news', 'cam'), undefined, {}, now);
    assert.deepEqual(
      [view(T0).phase, view(T0).message],
      ['Unknown', 'no status report from the ingest pod yet'],
    );
    board.receive('tributary.news.cam.status', encode(statusDoc()), T0);
    assert.deepEqual(
      [view(T0).phase, view(T0).message, view(T0).degraded],
      ['Live', 'input 0 is active', null],
    );
    board.receive(
      'tributary.news.cam.status',
      encode(
        statusDoc({
          activeInput: 1,
          inputs: [statusDoc().inputs[0]!, statusDoc().inputs[1]!].map((i) => ({
            ...i,
            state: i.priority === 0 ? ('degraded' as const) : ('active' as const),
            errors:
              i.priority === 0 ? [{ message: 'no packet for 1 s', at: new Date(T0).toISOString() }] : [],
          })),
          switches: [
            { at: new Date(T0).toISOString(), from: 0, to: 1, reason: 'timeout', detail: '' },
            ...statusDoc().switches,
          ],
        }),
      ),
      T0,
    );
    const failedOver = view(T0);
    assert.deepEqual(
      [failedOver.phase, failedOver.degraded, failedOver.failovers],
      ['Degraded', 'ingesting input 1; input 0 is degraded: no packet for 1 s', 1],
    );
    assert.equal(view(T0 + STATUS_STALE_MS + 1000).phase, 'Unknown');
  });

  it('shows publish URLs for a stream with a push input when it knows the listener, never a key', () => {
    const board = new StreamBoard();
    board.receive('tributary.news.cam.status', encode(statusDoc()), T0);
    const key = { namespace: 'news', name: 'cam' };
    const entry = board.get('news', 'cam');
    assert.equal(consoleStream(key, entry, undefined, {}, T0).publish, null);
    assert.deepEqual(
      consoleStream(
        key,
        entry,
        undefined,
        { rtmp: 'rtmp://push.example.com', srt: 'srt://push.example.com:9000' },
        T0,
      ).publish,
      {
        rtmp: 'rtmp://push.example.com/news/cam',
        srt: 'srt://push.example.com:9000?streamid=publish:news/cam',
      },
    );
  });

  it('keeps kbit/s per whole second for the chart, empty seconds as 0', () => {
    const history = new BitrateHistory(4);
    history.add(T0, 1000);
    history.add(T0 + 500, 1500);
    history.add(T0 + 2100, 250);
    assert.deepEqual(history.kbps(T0 + 3000), [0, 20, 0, 2]);
    assert.deepEqual(history.kbps(T0 + 9000), [0, 0, 0, 0], 'old seconds do not come back');
  });
});
