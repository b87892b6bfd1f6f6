import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import type { StatusDocument } from '../../src/status/status-document.js';
import { udpSource, udpUrl } from '../ingest/stream-harness.js';
import { startNats } from '../support/nats.js';
import { freeUdpPort } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';
import { runCli, startCli } from './run-cli.js';

// `tributary ingest` as the pod runs it (a child process configured by env and flags), and
// `tributary tail` reading what it publishes.

const media = tsFileFixture({ seconds: 4, gop: 12 });

const config = (port: number) => ({
  stream: { namespace: 'cli', name: 'news', uid: 'u-1', generation: 1 },
  inputs: [{ url: `${udpUrl(port)}?token=hush`, priority: 0 }],
});

test('ingest: config errors name the field; NATS_URL is required', async () => {
  const bad = { ...config(5000), inputs: [{ url: udpUrl(5000), priority: 3 }] };
  const invalid = await runCli(['ingest'], { TRIBUTARY_STREAM: JSON.stringify(bad), NATS_URL: 'nats://x' });
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /inputs\[0\]\.priority: must equal the input's index \(0\)/);
  const missing = await runCli(['ingest', '--config', join(media.dir, 'none.json')], {
    NATS_URL: 'nats://x',
  });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*none\.json/);
  const noNats = await runCli(['ingest'], { TRIBUTARY_STREAM: JSON.stringify(config(5000)), NATS_URL: '' });
  assert.equal(noNats.code, 2);
  assert.match(noNats.stderr, /NATS_URL is not set/);
});

test('ingest publishes, serves health and metrics, tail prints its packets, SIGTERM drains', async () => {
  const nats = await startNats();
  const port = await freeUdpPort();
  const source = udpSource(media.file, port);
  const configFile = join(media.dir, 'stream.json');
  await writeFile(configFile, JSON.stringify(config(port)));
  const observer = await connect({ servers: nats.url });
  const events: string[] = [];
  let status: StatusDocument | undefined;
  observer.subscribe('tributary.cli.news.events', {
    callback: (_e, m) => {
      events.push(m.json<{ type: string }>().type);
    },
  });
  observer.subscribe('tributary.cli.news.status', {
    callback: (_e, m) => {
      status = m.json<StatusDocument>();
    },
  });
  await observer.flush();
  const ingest = startCli(['ingest', '--config', configFile, '--listen', '127.0.0.1:0'], {
    NATS_URL: nats.url,
  });
  const tail = startCli(['tail', 'cli/news', '--nats', nats.url]);
  try {
    const listening = JSON.parse(await ingest.line((l) => l.includes('health server listening'))) as {
      port: number;
    };
    const base = `http://127.0.0.1:${listening.port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    let ready = 0;
    for (let i = 0; i < 100; i++) {
      ready = (await fetch(`${base}/readyz`)).status;
      if (ready === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(ready, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /tributary_ingest_access_units_total\{codec="h264"\} [1-9]/);
    assert.match(metrics, /tributary_ingest_input_state\{input="0",state="active"\} 1/);

    const packet = await tail.line((l) => / input=0 session=\d+ seq=\d+ track=256 h264 K/.test(l));
    assert.match(packet, /pts=\d+ dts=\d+ size=\d+$/);
    await tail.line((l) => /^-- \d+ packets, \d+ kb\/s, input 0, lost 0, .*256 h264/.test(l));

    for (let i = 0; i < 100 && !(status?.inputs[0]?.tracks.length && status.inputs[0].bitrateKbps > 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const input = status?.inputs[0];
    assert.equal(status?.activeInput, 0);
    assert.equal(input?.state, 'active');
    assert.equal(input?.url, `${udpUrl(port)}?token=***`);
    assert.ok(input?.lastPacketTime !== null && (input?.bitrateKbps ?? 0) > 0);
    assert.deepEqual(
      input?.tracks.map((t) => t.codec),
      ['h264', 'aac'],
    );

    assert.equal(await ingest.stop(), 0, ingest.stderr());
    await observer.flush();
    assert.deepEqual(events.slice(0, 1), ['stream.started']);
    assert.equal(events.at(-1), 'stream.stopped');
    const lines = ingest.stdout().trim().split('\n');
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(entry.stream, 'cli/news');
      assert.ok('input' in entry, `no input on ${line}`);
    }
    assert.doesNotMatch(ingest.stdout(), /hush/);
    assert.match(lines.at(-1) ?? '', /shutdown complete/);
    assert.equal(await tail.stop(), 0);
    assert.match(tail.stdout(), /event stream\.stopped/);
  } finally {
    await ingest.stop();
    await tail.stop();
    await source.stop();
    await observer.drain();
    await nats.stop();
  }
});
