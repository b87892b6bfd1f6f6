import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AVPacket } from '../../src/avpacket.js';
import { CopyReader, natsCopyFeed } from '../../src/copy/index.js';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { createReader } from '../../src/sources/create-reader.js';
import { encodeEnvelopes, type WirePacket } from '../../src/wire/index.js';
import { type NatsServer, startNats } from '../support/nats.js';

// The copy reader on a real nats-server, fed envelopes as an upstream's publisher sends them.

const AV = 'tributary.test.up.av';

function unit(session: number, seq: number, size = 8): WirePacket {
  const data = new Uint8Array(size).fill(seq & 0xff);
  return {
    codec: seq % 2 === 0 ? 'h264' : 'aac',
    trackId: seq % 2 === 0 ? 256 : 257,
    pts: 1000 + seq * 1800,
    dts: 1000 + seq * 1800,
    key: seq === 0,
    data,
    inputPriority: 2,
    sessionId: session,
    sessionStart: seq === 0,
    seq,
    wallTimeMs: 1,
  };
}

describe('copy reader', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  before(async () => {
    nats = await startNats({});
    nc = await connect({ servers: nats.url });
  });
  after(async () => {
    await nc?.close();
    await nats?.stop();
  });

  async function readAll(reader: CopyReader, count: number): Promise<AVPacket[]> {
    const got: AVPacket[] = [];
    while (got.length < count) {
      const batch = await reader.read();
      if (batch === null) break;
      got.push(...batch);
    }
    return got;
  }

  it('reassembles fragments, counts sequence gaps, and notes a new upstream session', async () => {
    const events: ReaderEvent[] = [];
    const reader = new CopyReader({
      upstream: 'up',
      feed: natsCopyFeed(nc, 'tributary', 'test'),
      onEvent: (e) => events.push(e),
    });
    await reader.open(new AbortController().signal);
    await nc.flush();
    // Joined midway at seq 40 (not a loss), 41 fragmented, 42–44 lost, then a new session.
    const sent = [unit(5, 40), unit(5, 41, 3000), unit(5, 45), unit(6, 0), unit(6, 1)];
    sent.forEach((packet, i) => {
      // A foreign message in the middle: everything after it still arrives.
      if (i === 3) nc.publish(AV, new Uint8Array([1, 2, 3]));
      for (const m of encodeEnvelopes(packet, { maxPayload: 1024 })) nc.publish(AV, m);
    });
    const got = await readAll(reader, sent.length);
    assert.deepEqual(
      got.map((p) => [p.trackId, p.dts, p.data.length]),
      sent.map((p) => [p.trackId, p.dts, p.data.length]),
    );
    assert.deepEqual(Object.keys(got[0]!).sort(), ['codec', 'data', 'dts', 'key', 'pts', 'trackId']);
    assert.equal(reader.counters.dropped, 3 + 1, 'three lost access units and one foreign message');
    assert.ok(reader.counters.bytes > 3000);
    assert.deepEqual(
      reader.tracks.map((t) => [t.trackId, t.codec]),
      [
        [256, 'h264'],
        [257, 'aac'],
      ],
    );
    const notes = events.filter((e) => e.type === 'demux').map((e) => (e as { detail: string }).detail);
    assert.ok(notes.includes('copy://up: the upstream began a new session'), notes.join('; '));
    assert.ok(
      notes.some((n) => n.startsWith('copy://up: bad-magic')),
      notes.join('; '),
    );
    await reader.close();
    assert.equal(await reader.read(), null, 'closed: end of stream');
  });

  it('reads the ladder rung the operator chose, not the upstream’s own packets', async () => {
    const reader = createReader(
      { url: 'copy://up', priority: 0, copyRung: '720p' },
      { copy: natsCopyFeed(nc, 'tributary', 'test') },
    );
    await reader.open(new AbortController().signal);
    await nc.flush();
    for (const m of encodeEnvelopes(unit(9, 2), { maxPayload: 1024 })) nc.publish(AV, m);
    for (const m of encodeEnvelopes(unit(7, 0), { maxPayload: 1024 })) nc.publish(`${AV}.720p`, m);
    const [first] = (await reader.read()) ?? [];
    assert.equal(first?.dts, unit(7, 0).dts, 'the packet from .av.720p');
    await reader.close();
  });

  it('is what createReader builds for copy://, and needs the pod’s NATS connection', () => {
    const input = { url: 'copy://up', priority: 0 };
    assert.ok(createReader(input, { copy: natsCopyFeed(nc, 'tributary', 'test') }) instanceof CopyReader);
    assert.throws(() => createReader(input, {}), /copy:\/\/up reads another Stream from NATS/);
  });
});
