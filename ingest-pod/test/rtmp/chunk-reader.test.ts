import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkReader, type ChunkReaderLimits } from '../../src/rtmp/chunk-reader.js';
import { encodeChunks } from '../../src/rtmp/chunk-writer.js';
import { type RtmpMessage, RtmpProtocolError } from '../../src/rtmp/protocol.js';
import { chunk, concatBytes, filled, setChunkSize } from './chunk-bytes.js';

function reader(limits?: ChunkReaderLimits) {
  const messages: RtmpMessage[] = [];
  const r = new ChunkReader((m) => messages.push(m), limits);
  return { r, messages };
}

/** Feeds `bytes` in pieces of `size` (1 = byte by byte) and returns the messages. */
function parse(bytes: Uint8Array, size = bytes.length, limits?: ChunkReaderLimits): RtmpMessage[] {
  const { r, messages } = reader(limits);
  for (let at = 0; at < bytes.length; at += size) r.push(bytes.subarray(at, at + size));
  return messages;
}

const brief = (m: RtmpMessage) => ({
  typeId: m.typeId,
  streamId: m.streamId,
  timestamp: m.timestamp,
  length: m.payload.length,
});

test('fmt 0, 1, 2 and 3 headers: absolute time, deltas, inherited length/type/stream', () => {
  const bytes = concatBytes(
    chunk({ fmt: 0, csid: 4, time: 1000, typeId: 8, streamId: 1 }, [1, 2, 3]),
    chunk({ fmt: 1, csid: 4, time: 20, typeId: 8 }, [4, 5]), // new length, delta 20
    chunk({ fmt: 2, csid: 4, time: 21 }, [6, 7]), // same length and type, delta 21
    chunk({ fmt: 3, csid: 4 }, [8, 9]), // same everything, delta 21 again
  );
  for (const size of [bytes.length, 1, 3]) {
    const messages = parse(bytes, size);
    assert.deepEqual(messages.map(brief), [
      { typeId: 8, streamId: 1, timestamp: 1000, length: 3 },
      { typeId: 8, streamId: 1, timestamp: 1020, length: 2 },
      { typeId: 8, streamId: 1, timestamp: 1041, length: 2 },
      { typeId: 8, streamId: 1, timestamp: 1062, length: 2 },
    ]);
    assert.deepEqual([...(messages[3]?.payload ?? [])], [8, 9]);
  }
});

test('a fmt 3 message right after fmt 0 uses the fmt 0 timestamp as its delta (spec 5.3.1.2.4)', () => {
  const messages = parse(
    concatBytes(chunk({ fmt: 0, csid: 5, time: 40 }, [1]), chunk({ fmt: 3, csid: 5 }, [2])),
  );
  assert.deepEqual(
    messages.map((m) => m.timestamp),
    [40, 80],
  );
});

test('1, 2 and 3 byte chunk stream ids', () => {
  for (const csid of [2, 63, 64, 319, 320, 65599]) {
    const messages = parse(
      concatBytes(chunk({ fmt: 0, csid }, [7]), chunk({ fmt: 2, csid, time: 1 }, [8])),
      1,
    );
    assert.deepEqual(
      messages.map((m) => [m.chunkStreamId, m.payload[0]]),
      [
        [csid, 7],
        [csid, 8],
      ],
      `csid ${csid}`,
    );
  }
});

test('messages split over chunks of the default 128 bytes, interleaved across chunk streams', () => {
  const video = filled(300, 1);
  const audio = filled(200, 2);
  const bytes = concatBytes(
    chunk({ fmt: 0, csid: 6, time: 0, typeId: 9, length: 300 }, video.subarray(0, 128)),
    chunk({ fmt: 0, csid: 4, time: 5, typeId: 8, length: 200 }, audio.subarray(0, 128)),
    chunk({ fmt: 3, csid: 6 }, video.subarray(128, 256)),
    chunk({ fmt: 3, csid: 4 }, audio.subarray(128)),
    chunk({ fmt: 3, csid: 6 }, video.subarray(256)),
  );
  for (const size of [bytes.length, 1, 7, 129]) {
    const messages = parse(bytes, size);
    assert.deepEqual(
      messages.map((m) => m.typeId),
      [8, 9],
    );
    assert.deepEqual(messages[0]?.payload, audio);
    assert.deepEqual(messages[1]?.payload, video);
  }
});

test('extended timestamps: fmt 0, fmt 1 deltas, and the 4 bytes repeated on fmt 3 chunks', () => {
  const big = 0x01234567;
  const payload = filled(200);
  const bytes = concatBytes(
    chunk({ fmt: 0, csid: 6, time: big, length: 200 }, payload.subarray(0, 128)),
    chunk({ fmt: 3, csid: 6, extended: big }, payload.subarray(128)), // continuation carries it again
    chunk({ fmt: 1, csid: 6, time: 0xffffff + 5, length: 1 }, [1]), // a delta in the extended field
    chunk({ fmt: 3, csid: 6, extended: 0xffffff + 5 }, [2]), // new message, fmt 3: same delta
  );
  for (const size of [bytes.length, 1, 5]) {
    const messages = parse(bytes, size);
    assert.deepEqual(
      messages.map((m) => m.timestamp),
      [big, big + 0xffffff + 5, (big + 2 * (0xffffff + 5)) >>> 0],
    );
    assert.deepEqual(messages[0]?.payload, payload);
  }
});

test('timestamps wrap modulo 2^32', () => {
  const messages = parse(
    concatBytes(
      chunk({ fmt: 0, csid: 4, time: 0xfffffff0 }, [1]),
      chunk({ fmt: 2, csid: 4, time: 0x20 }, [2]),
    ),
  );
  assert.deepEqual(
    messages.map((m) => m.timestamp),
    [0xfffffff0, 0x10],
  );
});

test('Set Chunk Size from the server applies to the very next chunk, mid-buffer, up to huge sizes', () => {
  const payload = filled(5000);
  for (const size of [4096, 0x7fffffff]) {
    const bytes = concatBytes(
      setChunkSize(size),
      chunk({ fmt: 0, csid: 6, length: 5000 }, payload.subarray(0, Math.min(size, 5000))),
      ...(size < 5000 ? [chunk({ fmt: 3, csid: 6 }, payload.subarray(size))] : []),
    );
    for (const piece of [bytes.length, 1, 1000]) {
      const { r, messages } = reader();
      for (let at = 0; at < bytes.length; at += piece) r.push(bytes.subarray(at, at + piece));
      assert.equal(r.chunkSize, size);
      assert.equal(messages.length, 1, 'Set Chunk Size itself is not passed on');
      assert.deepEqual(messages[0]?.payload, payload);
    }
  }
});

test('Abort drops the half-received message of that chunk stream', () => {
  const { r, messages } = reader();
  r.push(chunk({ fmt: 0, csid: 6, length: 300 }, filled(128)));
  assert.equal(r.pending, 300);
  r.push(chunk({ fmt: 0, csid: 2, typeId: 2, streamId: 0 }, [0, 0, 0, 6]));
  assert.equal(r.pending, 0);
  assert.equal(r.discarded, 1);
  r.push(chunk({ fmt: 0, csid: 6, length: 2 }, [1, 2]));
  assert.deepEqual(
    messages.map((m) => m.payload.length),
    [2],
  );
});

test('a new header mid-message abandons the old message', () => {
  const { r, messages } = reader();
  r.push(chunk({ fmt: 0, csid: 6, length: 300 }, filled(128)));
  r.push(chunk({ fmt: 1, csid: 6, time: 40, length: 3 }, [1, 2, 3]));
  assert.equal(r.discarded, 1);
  assert.equal(r.pending, 0);
  assert.deepEqual(
    messages.map((m) => m.payload.length),
    [3],
  );
});

test('zero-length messages are delivered', () => {
  const messages = parse(
    concatBytes(chunk({ fmt: 0, csid: 4, length: 0 }), chunk({ fmt: 2, csid: 4, time: 1 })),
  );
  assert.deepEqual(
    messages.map((m) => [m.timestamp, m.payload.length]),
    [
      [0, 0],
      [1, 0],
    ],
  );
});

test('truncated input waits without a message and without error', () => {
  const whole = chunk({ fmt: 0, csid: 4, length: 100 }, filled(100));
  for (let cut = 0; cut < whole.length; cut++) {
    const { r, messages } = reader();
    r.push(whole.subarray(0, cut));
    assert.equal(messages.length, 0);
    r.push(whole.subarray(cut));
    assert.equal(messages.length, 1);
  }
});

test('protocol errors: unknown chunk stream continued, Set Chunk Size 0, limits', () => {
  const cases: [string, Uint8Array, ChunkReaderLimits?][] = [
    ['continued (fmt 3) before it began', chunk({ fmt: 3, csid: 9 }, [1])],
    ['began with a type 2 header', chunk({ fmt: 2, csid: 9 }, [1])],
    ['Set Chunk Size to 0', setChunkSize(0)],
    ['exceeds the 1000-byte limit', chunk({ fmt: 0, csid: 4, length: 1001 }), { maxMessageBytes: 1000 }],
    [
      'bytes of unfinished messages',
      concatBytes(
        chunk({ fmt: 0, csid: 4, length: 600 }, filled(128)),
        chunk({ fmt: 0, csid: 5, length: 600 }),
      ),
      { maxPendingBytes: 1000 },
    ],
    [
      'more than 2 chunk streams',
      concatBytes(chunk({ fmt: 0, csid: 4 }), chunk({ fmt: 0, csid: 5 }), chunk({ fmt: 0, csid: 6 })),
      { maxChunkStreams: 2 },
    ],
  ];
  for (const [message, bytes, limits] of cases) {
    const { r } = reader(limits);
    assert.throws(
      () => r.push(bytes),
      (err: Error) => err instanceof RtmpProtocolError && err.message.includes(message),
      message,
    );
    assert.throws(() => r.push(new Uint8Array(1)), RtmpProtocolError, 'the failure sticks');
  }
});

test('the default limits: 8 MiB per message is accepted, larger declared lengths are refused', () => {
  const { r } = reader();
  r.push(chunk({ fmt: 0, csid: 4, length: 8 * 1024 * 1024 }, filled(128)));
  assert.throws(() => r.push(chunk({ fmt: 0, csid: 5, length: 8 * 1024 * 1024 + 1 })), RtmpProtocolError);
});

test('the chunk writer round-trips through the reader, extended timestamps and 3-byte ids included', () => {
  for (const [chunkStreamId, timestamp, length, chunkSize] of [
    [3, 0, 0, 128],
    [3, 1234, 127, 128],
    [70, 0xffffff, 128, 128],
    [400, 0xfffffffe, 1000, 128],
    [5, 99, 70000, 4096],
  ] as const) {
    const payload = filled(length);
    const bytes = encodeChunks({ chunkStreamId, typeId: 20, streamId: 7, timestamp, payload }, chunkSize);
    const { r, messages } = reader();
    r.push(concatBytes(setChunkSize(chunkSize)));
    for (let at = 0; at < bytes.length; at += 13) r.push(bytes.subarray(at, at + 13));
    assert.equal(messages.length, 1);
    assert.deepEqual(brief(messages[0] as RtmpMessage), { typeId: 20, streamId: 7, timestamp, length });
    assert.deepEqual(messages[0]?.payload, payload);
    assert.equal(messages[0]?.chunkStreamId, chunkStreamId);
  }
});

test('each message owns its payload: nothing is reused between messages', () => {
  const messages = parse(
    concatBytes(chunk({ fmt: 0, csid: 4 }, [1, 2]), chunk({ fmt: 2, csid: 4, time: 1 }, [3, 4])),
  );
  assert.notEqual(messages[0]?.payload.buffer, messages[1]?.payload.buffer);
  assert.deepEqual([...(messages[0]?.payload ?? [])], [1, 2]);
});
