import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { type IngestService, startIngest } from '../../src/ingest/service.js';
import { decodeEnvelope, isWireError, Reassembler } from '../../src/wire/index.js';
import { assertMonotonicPerTrack, assertPublishedInputs, countFrom } from '../ingest/published-invariants.js';
import { type Harness, type SeenPacket, startHarness, udpSource, udpUrl } from '../ingest/stream-harness.js';
import { type FfmpegProcess, freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';

// An upstream Stream (a real ingest service reading a real ffmpeg UDP source) and a downstream
// Stream whose first input copies it, with a UDP backup, on one real nats-server. The copy
// publishes under its own sessions and sequence numbers; the upstream stopping hands over to the
// backup at once.

const media = tsFileFixture({ seconds: 4, gop: 12 });

interface Seen {
  packets: SeenPacket[];
  events: { type: string; payload: Record<string, unknown> }[];
  activeInput: number | null | undefined;
}

/** Everything Stream `test/<name>` publishes, as a subscriber sees it. */
function watch(h: Harness, name: string): Seen {
  const seen: Seen = { packets: [], events: [], activeInput: undefined };
  const base = `tributary.test.${name}`;
  const reassembler = new Reassembler();
  h.observer.subscribe(`${base}.av`, {
    callback: (_err, message) => {
      const envelope = decodeEnvelope(message.data);
      if (isWireError(envelope)) throw new Error(`bad envelope on ${base}.av: ${envelope.message}`);
      const p = reassembler.push(envelope);
      if (p === undefined) return;
      const { data: _data, ...rest } = p;
      seen.packets.push({ ...rest, receivedAt: Date.now() });
    },
  });
  h.observer.subscribe(`${base}.events`, {
    callback: (_err, message) => {
      const { type, payload } = message.json<{ type: string; payload: Record<string, unknown> }>();
      seen.events.push({ type, payload });
    },
  });
  h.observer.subscribe(`${base}.status`, {
    callback: (_err, message) => {
      seen.activeInput = message.json<{ activeInput: number | null }>().activeInput;
    },
  });
  return seen;
}

test('copy://: a Stream copies another under its own sessions, a copy of it copies it again, and it fails over when the upstream stops', async () => {
  const [portA, portB] = [await freeUdpPort(), await freeUdpPort()];
  const primary: FfmpegProcess = udpSource(media.file, portA);
  const backup: FfmpegProcess = udpSource(media.file, portB);
  let h: Harness | undefined;
  let copy: IngestService | undefined;
  let copyOfCopy: IngestService | undefined;
  let log = '';
  try {
    h = await startHarness({ inputs: [{ url: udpUrl(portA) }] });
    const harness = h;
    const upstream = h.config.stream.name;
    await h.until(() => harness.packets.length >= 100, 'the upstream publishing');

    const name = `${upstream}-copy`;
    const down = watch(h, name);
    const chained = watch(h, `${name}-2`);
    await h.observer.flush();
    const nats = h.nats.url;
    const start = (stream: string, urls: string[]) =>
      startIngest({
        config: {
          stream: { namespace: 'test', name: stream, uid: `uid-${stream}`, generation: 1 },
          inputs: urls.map((url, priority) => ({
            url,
            priority,
            headers: {},
            headersFromEnv: [],
            params: {},
            paramsFromEnv: [],
          })),
          failover: { probeAfterMs: 500, failbackHoldDownMs: 1000 },
          subjectPrefix: 'tributary',
        },
        env: {},
        natsUrl: nats,
        listen: { host: '127.0.0.1', port: 0 },
        vodRoot: '/nonexistent',
        processMetrics: false,
        logDestination: new Writable({
          write(chunk, _encoding, done) {
            log = (log + String(chunk)).slice(-20_000);
            done();
          },
        }),
      });
    copy = await start(name, [`copy://${upstream}`, udpUrl(portB)]);
    copyOfCopy = await start(`${name}-2`, [`copy://${name}`]);
    const until = (what: string, ok: () => boolean) =>
      harness.until(ok, `${what}\ncopy log tail:\n${log.slice(-4000)}`);
    await until('50 packets copied', () => countFrom(down.packets, 0) >= 50);
    await until('the copy active in the status', () => down.activeInput === 0);

    // Its own sessions and sequence numbers: the upstream's are far along, the copy's start at 0.
    const copied = down.packets.filter((p) => p.inputPriority === 0);
    const first = copied[0]!;
    assert.ok(first.sessionStart, 'the first copied packet opens a session');
    assert.equal(first.seq, 0);
    copied.forEach((p, i) => {
      assert.equal(p.sessionId, first.sessionId, `packet ${i} stays in the copy's session`);
      assert.equal(p.seq, i, `packet ${i}: sequence numbers of the copy's own session`);
    });
    const original = h.packets.find((p) => p.trackId === first.trackId && p.dts === first.dts);
    assert.ok(original, 'the first copied access unit is one the upstream published');
    assert.ok(original.seq >= 100, `upstream seq ${original.seq} is not what the copy published`);
    assertMonotonicPerTrack(down.packets);
    // A copy of the copy: the same media a second hop down, again under its own sessions.
    await until('a copy of the copy publishing', () => countFrom(chained.packets, 0) >= 25);
    assert.equal(chained.packets[0]?.seq, 0);
    assertMonotonicPerTrack(chained.packets);

    const stoppedAt = down.packets.length;
    await h.service.stop(); // says stream.stopped, as a deleted Stream's pod does
    await until('failover to the backup', () =>
      down.events.some((e) => e.type === 'input.failover' && e.payload.to === 1),
    );
    const failover = down.events.find((e) => e.type === 'input.failover' && e.payload.to === 1)!;
    assert.equal(failover.payload.from, 0);
    // Not at once: a replaced upstream's successor would publish again; silence decides.
    assert.equal(failover.payload.reason, 'timeout');
    await until('media from the backup', () => countFrom(down.packets, 1, stoppedAt) >= 25);
    assertPublishedInputs(down.packets.slice(down.packets.indexOf(first)), [0, 1]);
  } finally {
    await copyOfCopy?.stop();
    await copy?.stop();
    await h?.stop();
    await primary.stop();
    await backup.stop();
  }
});
