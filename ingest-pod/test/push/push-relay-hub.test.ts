import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PushRelayHub } from '../../src/push/push-relay-hub.js';
import { encodeRelay } from '../../src/push-relay/relay-wire.js';
import { endMessage, PEER, startMessage } from './relay-fixtures.js';

test('one subscription shared by the readers; starts of running sessions remembered', () => {
  let deliver: ((data: Uint8Array) => void) | undefined;
  let unsubscribed = 0;
  const hub = new PushRelayHub('tributary._push.ns.s', (_subject, onMessage) => {
    deliver = onMessage;
    return { unsubscribe: () => unsubscribed++ };
  });
  const seen: Uint8Array[] = [];
  const reader = hub.subscribe('tributary._push.ns.s', (data) => seen.push(data));
  deliver?.(encodeRelay(startMessage(3, 'srt')));
  assert.equal(seen.length, 1);
  assert.deepEqual(hub.startOf(3), { protocol: 'srt', peer: PEER, replica: 'listener-0' });
  deliver?.(encodeRelay(endMessage(3, 9)));
  assert.equal(hub.startOf(3), undefined, 'an ended session is forgotten');
  for (let session = 10; session < 20; session++) deliver?.(encodeRelay(startMessage(session, 'rtmp')));
  assert.equal(hub.startOf(10), undefined, 'only the latest few');
  assert.equal(hub.startOf(19)?.protocol, 'rtmp');
  reader.unsubscribe();
  deliver?.(encodeRelay(startMessage(30, 'srt')));
  assert.equal(seen.length, 12);
  assert.throws(() => hub.subscribe('tributary._push.ns.other', () => {}), /push subject/);
  hub.close();
  assert.equal(unsubscribed, 1);
});
