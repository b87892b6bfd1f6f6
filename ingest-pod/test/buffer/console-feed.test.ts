// The console's server side against real peers: status, events and media on a real nats-server
// reach a page's Server-Sent Events feed; the page and hls.js are served.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsoleStream } from '../../src/buffer/console/console-view.js';
import { asSession, bufferOnBus, publishPackets } from './bus-support.js';

/** Reads `streams` events from the feed until `test` accepts one. */
async function feedUntil(url: string, test: (streams: ConsoleStream[]) => boolean): Promise<ConsoleStream[]> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of response.body!) {
      text += decoder.decode(chunk, { stream: true });
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        const message = text.slice(0, end);
        text = text.slice(end + 2);
        const data = /^event: streams\ndata: (.*)$/s.exec(message)?.[1];
        if (data === undefined) continue;
        const streams = JSON.parse(data) as ConsoleStream[];
        if (test(streams)) return streams;
      }
    }
  } finally {
    controller.abort();
  }
  throw new Error('the feed ended');
}

describe('console feed', () => {
  const bus = bufferOnBus({ seconds: 1 });
  const base = () => `http://127.0.0.1:${bus.buffer.port}`;

  it('serves the page and hls.js', async () => {
    const page = await fetch(`${base()}/`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<title>Tributary console<\/title>/);
    const hls = await fetch(`${base()}/console/hls.min.js`);
    assert.equal(hls.status, 200);
    assert.ok((await hls.arrayBuffer()).byteLength > 100_000);
  });

  it('pushes each stream with its phase, events, buffer and bitrate as they arrive', async () => {
    const seen = feedUntil(`${base()}/console/feed`, (streams) => {
      const cam = streams.find((s) => s.name === 'cam');
      return cam?.phase === 'Live' && cam.events.length === 1 && (cam.buffer?.received ?? 0) > 0;
    });
    const status = {
      stream: { namespace: 'demo', name: 'cam' },
      at: new Date().toISOString(),
      activeInput: 0,
      live: true,
      overrideInput: null,
      exhausted: false,
      switching: null,
      inputs: [
        {
          priority: 0,
          url: 'udp://127.0.0.1:5000',
          state: 'active',
          bitrateKbps: 800,
          errors: [],
          lastPacketTime: null,
        },
      ],
      switches: [],
      configGeneration: 1,
    };
    bus.nc.publish('tributary.demo.cam.status', JSON.stringify(status));
    bus.nc.publish(
      'tributary.demo.cam.events',
      JSON.stringify({ type: 'stream.started', at: status.at, payload: {} }),
    );
    await publishPackets(bus.nc, 'tributary.demo.cam.av', asSession(bus.packets, 7));
    const cam = (await seen).find((s) => s.name === 'cam')!;
    assert.equal(cam.message, 'input 0 is active');
    assert.equal(cam.events[0]?.type, 'stream.started');
    assert.equal(cam.bitrateKbps.length, 300);
    const current = await (await fetch(`${base()}/console/streams`)).json();
    assert.equal((current as { streams: ConsoleStream[] }).streams[0]?.name, 'cam');
  });
});
