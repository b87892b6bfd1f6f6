import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeAmf0 } from '../../src/amf0/amf0.js';
import { HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { concatBytes, filled } from './chunk-bytes.js';
import {
  control,
  onStatus,
  scriptedSession,
  serverCommand,
  serverMessage,
  userControl,
} from './scripted-server.js';

test('handshake, connect, createStream, play: what the client sends at each step', () => {
  const s = scriptedSession();
  s.session.start();
  assert.equal(s.sent[0]?.length, 1 + HANDSHAKE_SIZE);
  const s1 = filled(HANDSHAKE_SIZE, 7);
  s.feed(Uint8Array.of(3), s1, filled(HANDSHAKE_SIZE, 8));
  assert.deepEqual(s.sent[1], s1, 'C2 echoes S1');
  assert.equal(s.session.stage, 'connect');
  const [connect] = s.commands();
  assert.equal(connect?.name, 'connect');
  assert.equal(connect?.transactionId, 1);
  assert.deepEqual(
    { ...(connect?.commandObject as object) },
    {
      app: 'live',
      flashVer: 'LNX 9,0,124,2',
      tcUrl: 'rtmp://h/live',
      fpad: false,
      capabilities: 15,
      audioCodecs: 0x0fff,
      videoCodecs: 0x00ff,
      videoFunction: 1,
      objectEncoding: 0,
      fourCcList: ['hvc1', 'av01', 'vp09'],
    },
  );
  assert.equal(s.clientChunkSize(), 4096, 'Set Chunk Size before connect');
  s.feed(serverCommand(['_result', 1, null, { code: 'NetConnection.Connect.Success' }]));
  assert.equal(s.commands()[1]?.name, 'createStream');
  assert.equal(s.commands()[1]?.transactionId, 2);
  s.feed(serverCommand(['_result', 2, null, 5]));
  const play = s.commands()[2];
  assert.equal(play?.name, 'play');
  assert.deepEqual(play?.args, ['key?token=t', -2, -1]);
  assert.equal(s.fromClient.find((m) => m.typeId === 20 && decodeName(m.payload) === 'play')?.streamId, 5);
  const bufferLength = s.fromClient.find((m) => m.typeId === 4);
  assert.deepEqual([...(bufferLength?.payload ?? [])], [0, 3, 0, 0, 0, 5, 0, 0, 0x0b, 0xb8]);
  assert.equal(s.session.stage, 'play');
  s.feed(onStatus('NetStream.Play.Start', 'Started playing key.'));
  assert.equal(s.session.stage, 'media');
  s.feed(
    serverMessage(9, Uint8Array.of(0x17, 0, 0, 0, 0), 1, 40, 6),
    serverMessage(8, Uint8Array.of(0xaf, 1, 9), 1, 41, 4),
  );
  assert.equal(s.session.stage, 'playing');
  assert.deepEqual(
    s.tags().map((t) => [t.type, t.timestamp, t.data.length]),
    [
      [9, 40, 5],
      [8, 41, 3],
    ],
  );
  assert.equal(s.ends().length, 0);
});

function decodeName(payload: Uint8Array): string {
  return new TextDecoder().decode(payload.subarray(3, 3 + payload[2]!));
}

test('acknowledges every window of received bytes, answers pings, replies to Set Peer Bandwidth once', () => {
  const s = scriptedSession();
  s.toPlaying();
  s.feed(control(5, 1000), control(6, 2_500_000, 2), control(6, 2_500_000, 2), userControl(6, 0xdeadbeef));
  const media = serverMessage(9, filled(600), 1, 0, 6);
  for (let i = 0; i < 5; i++) s.feed(media);
  const acks = s.fromClient
    .filter((m) => m.typeId === 3)
    .map((m) => new DataView(m.payload.buffer).getUint32(0));
  assert.ok(acks.length >= 3, `acks ${acks}`);
  for (let i = 1; i < acks.length; i++) assert.ok(acks[i]! - acks[i - 1]! >= 1000);
  assert.equal(acks.at(-1), s.session.bytesReceived - (s.session.bytesReceived - acks.at(-1)!));
  assert.ok(s.session.bytesReceived - acks.at(-1)! < 1000);
  const windows = s.fromClient.filter((m) => m.typeId === 5);
  assert.equal(windows.length, 1);
  const pong = s.fromClient.find((m) => m.typeId === 4 && m.payload[1] === 7);
  assert.deepEqual([...(pong?.payload ?? [])], [0, 7, 0xde, 0xad, 0xbe, 0xef]);
});

test('statuses that end the session: permanent refusals vs retriable ends, the key scrubbed', () => {
  const cases: [Uint8Array, boolean, RegExp][] = [
    [
      onStatus('NetStream.Play.StreamNotFound', 'Failed to play key; stream not found.', 'error'),
      true,
      /stream not found: NetStream.Play.StreamNotFound Failed to play \*\*\*; stream not found\./,
    ],
    [onStatus('NetStream.Play.Failed', 'nope', 'error'), true, /play failed/],
    [onStatus('NetConnection.Connect.Rejected', 'auth', 'error'), true, /connection rejected/],
    [
      onStatus('NetStream.Play.UnpublishNotify', 'key is now unpublished.'),
      false,
      /the publisher stopped: .*\*\*\* is now unpublished/,
    ],
    [
      onStatus('NetStream.Play.Stop', 'Stopped playing key?token=t.'),
      false,
      /stopped the stream: .*Stopped playing \*\*\*\./,
    ],
    [userControl(1, 1), false, /StreamEOF/],
    [serverCommand(['close', 0, null]), false, /close command/],
    [onStatus('NetStream.Weird', 'odd', 'error'), false, /server error: NetStream.Weird odd/],
  ];
  for (const [bytes, permanent, reason] of cases) {
    const s = scriptedSession();
    s.toPlaying();
    s.feed(serverMessage(9, Uint8Array.of(0x17, 1, 0, 0, 0), 1, 0, 6));
    s.feed(bytes);
    const ends = s.ends();
    assert.equal(ends.length, 1, String(reason));
    const end = ends[0] as { reason: string; permanent: boolean };
    assert.match(end.reason, reason);
    assert.equal(end.permanent, permanent, end.reason);
    assert.doesNotMatch(end.reason, /token|key/);
    s.feed(serverMessage(9, Uint8Array.of(0x17, 1, 0, 0, 0), 1, 40, 6));
    assert.equal(s.tags().length, 1, 'nothing after the end');
  }
});

test('an error status before any media is permanent; _error on connect or createStream is a refusal', () => {
  const early = scriptedSession();
  early.toPlaying();
  early.feed(onStatus('NetStream.Weird', 'odd', 'error'));
  assert.equal((early.ends()[0] as { permanent: boolean }).permanent, true);

  const refused = scriptedSession({ app: 'nosuchapp' });
  refused.session.start();
  refused.feed(Uint8Array.of(3), filled(2 * HANDSHAKE_SIZE));
  refused.feed(
    serverCommand([
      '_error',
      1,
      null,
      { level: 'error', code: 'NetConnection.Connect.Rejected', description: 'Unknown app.' },
    ]),
  );
  assert.deepEqual(refused.ends(), [
    {
      type: 'end',
      permanent: true,
      reason: 'the server refused connect to app "nosuchapp": NetConnection.Connect.Rejected Unknown app.',
    },
  ]);

  const noStream = scriptedSession();
  noStream.session.start();
  noStream.feed(Uint8Array.of(3), filled(2 * HANDSHAKE_SIZE), serverCommand(['_result', 1, null, null]));
  noStream.feed(serverCommand(['_error', 2, null, null]));
  assert.match((noStream.ends()[0] as { reason: string }).reason, /refused createStream: no reason given/);
});

test('AMF3 commands (type 17) and data (type 15) are read past their format byte', () => {
  const s = scriptedSession();
  s.toPlaying();
  const amf3Status = concatBytes(
    Uint8Array.of(0),
    encodeAmf0(['onStatus', 0, null, { code: 'NetStream.Play.StreamNotFound', level: 'error' }]),
  );
  const metadata = encodeAmf0(['onMetaData', { width: 320 }]);
  s.feed(serverMessage(15, concatBytes(Uint8Array.of(0), metadata), 1, 0, 5));
  assert.deepEqual(s.tags()[0]?.data, metadata);
  s.feed(serverMessage(17, amf3Status, 1));
  assert.match((s.ends()[0] as { reason: string }).reason, /stream not found/);
});

test('garbage after the handshake ends the session with a retriable protocol error', () => {
  const s = scriptedSession();
  s.session.start();
  s.feed(Uint8Array.of(3), filled(2 * HANDSHAKE_SIZE), Uint8Array.of(0xc9, 1, 2, 3));
  assert.deepEqual(s.ends(), [
    {
      type: 'end',
      permanent: false,
      reason: 'protocol error: chunk stream 9 continued (fmt 3) before it began',
    },
  ]);
});

test('a malformed command is a protocol error too', () => {
  const s = scriptedSession();
  s.toPlaying();
  s.feed(serverMessage(20, Uint8Array.of(0x02, 0, 9, 0x41), 0));
  assert.match((s.ends()[0] as { reason: string }).reason, /protocol error: truncated AMF0/);
});
