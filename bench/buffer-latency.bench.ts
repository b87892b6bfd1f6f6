import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { connect } from '@nats-io/transport-node';
import { chromium } from 'playwright-core';
import { startBuffer } from '../ingest-pod/src/buffer/buffer-service.js';
import { decodeEnvelope, isWireError } from '../ingest-pod/src/wire/index.js';
import { testBufferOptions } from '../ingest-pod/test/buffer/bus-support.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import { makeTempDir, waitFor } from '../ingest-pod/test/support/peers.js';
import {
  auKey,
  makeBenchMedia,
  now,
  type OnAccessUnits,
  PacedPublisher,
  watchLiveTs,
  watchLlHls,
} from './buffer-support.js';
import { median, percentile, report, runWithPodNodeFlags, sleep } from './ingest-support.js';

runWithPodNodeFlags(import.meta.url);

const RUNS = Number(process.env.BUFFER_LATENCY_RUNS ?? 3);
const WINDOW_MS = Number(process.env.BUFFER_LATENCY_SECONDS ?? 20) * 1000;
/** After a window, how long access units published in it may still arrive (LL-HLS: a part or two). */
const GRACE_MS = 3000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const [NS, NAME] = ['bench', 'latency'];
const SUBJECT = `tributary.${NS}.${NAME}.av`;

const dir = await makeTempDir('tributary-bench-buffer-latency-');
const nats = await startNats();
const { packets } = await makeBenchMedia(dir.path);
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const buffer = await startBuffer({
  ...testBufferOptions(nats.url, [NS]),
  windowMs: 30_000,
  logLevel: 'info',
  logDestination: quiet,
});
const base = `http://127.0.0.1:${buffer.port}`;

/** Publish times of the access units published during a window, and when each path had them. */
const published = new Map<string, number>();
const arrived = {
  ts: new Map<string, number>(),
  hls: new Map<string, number>(),
  bare: new Map<string, number>(),
};
let measuring = false;
const arrival =
  (into: Map<string, number>): OnAccessUnits =>
  (units, at) => {
    for (const unit of units) {
      const key = auKey(unit.codec, unit.pts);
      if (published.has(key) && !into.has(key)) into.set(key, at);
    }
  };

const publisherNc = await connect({ servers: nats.url });
const observer = await connect({ servers: nats.url });
observer.subscribe(SUBJECT, {
  callback: (_err, message) => {
    const at = now();
    const envelope = decodeEnvelope(message.data);
    if (isWireError(envelope)) return;
    // An access unit is received with its last fragment.
    if (envelope.fragmentOffset + envelope.payload.byteLength < envelope.accessUnitLength) return;
    const key = auKey(envelope.codec, envelope.pts);
    if (published.has(key)) arrived.bare.set(key, at);
  },
});
await observer.flush();
const publisher = new PacedPublisher(publisherNc, packets, [SUBJECT], (_stream, key, at) => {
  if (measuring) published.set(key, at);
});
publisher.start();
const viewers: { stop(): void }[] = [];
let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
try {
  await waitFor(() => buffer.hub.get(NS, NAME) !== undefined, 'the buffer holding the stream', 10_000);
  viewers.push(watchLiveTs(`${base}/${NS}/${NAME}.ts`, arrival(arrived.ts)));
  viewers.push(watchLlHls(`${base}/${NS}/${NAME}/index.m3u8`, arrival(arrived.hls)));
  await sleep(3000);

  type Path = keyof typeof arrived;
  const windows: Record<Path, { p50: number; p99: number }>[] = [];
  for (let run = 0; run < RUNS; run++) {
    published.clear();
    for (const map of Object.values(arrived)) map.clear();
    measuring = true;
    await sleep(WINDOW_MS);
    measuring = false;
    await sleep(GRACE_MS);
    const window = {} as Record<Path, { p50: number; p99: number }>;
    const parts: string[] = [];
    for (const path of Object.keys(arrived) as Path[]) {
      const latencies = [...arrived[path]].map(([key, at]) => at - published.get(key)!);
      window[path] = { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
      parts.push(
        `${path} p50 ${window[path].p50.toFixed(1)} ms p99 ${window[path].p99.toFixed(1)} ms ` +
          `(${latencies.length}/${published.size} access units)`,
      );
    }
    windows.push(window);
    console.error(`window ${run + 1}: ${parts.join('; ')}`);
  }

  const spread = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
  const anchor = 'bare NATS publish -> subscriber receive, same messages';
  const paths = { ts: 'out of the live .ts (demuxed)', hls: 'listed in LL-HLS' } as const;
  for (const path of ['ts', 'hls'] as const)
    for (const p of ['p50', 'p99'] as const) {
      const values = windows.map((w) => w[path][p]);
      report({
        bench: 'buffer-latency',
        metric: `published -> ${paths[path]} ${p}, median of ${RUNS} windows (spread ${spread(values)} ms)`,
        unit: 'ms',
        value: median(values),
        anchor,
        anchorValue: median(windows.map((w) => w.bare[p])),
      });
    }

  // Glass to glass: the console's player in chromium.
  if (!existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: run scripts/setup.sh (or set CHROMIUM_PATH)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
  const page = await browser.newPage();
  await page.goto(`${base}/#${encodeURIComponent(`${NS}/${NAME}`)}`);
  const playing = `window.tributaryPlayer?.playingDate instanceof Date && document.getElementById('player').currentTime > 1`;
  await page.waitForFunction(playing, undefined, { timeout: 60_000 });
  const glass: number[] = [];
  const hlsJs: number[] = [];
  const until = now() + WINDOW_MS;
  while (now() < until) {
    const [behind, latency] = (await page.evaluate(
      `[Date.now() - window.tributaryPlayer.playingDate.getTime(), window.tributaryPlayer.latency]`,
    )) as [number, number];
    glass.push(behind);
    hlsJs.push(latency * 1000);
    await sleep(1000);
  }
  console.error(
    `chromium: ${glass.length} samples, publish -> on screen ${Math.min(...glass).toFixed(0)}–${Math.max(...glass).toFixed(0)} ms`,
  );
  for (const p of [50, 99] as const)
    report({
      bench: 'buffer-latency',
      metric: `glass to glass (publish -> playhead in chromium, LL-HLS) p${p}`,
      unit: 'ms',
      value: percentile(glass, p),
      goal: '< 2000 ms on loopback',
    });
  report({
    bench: 'buffer-latency',
    metric: 'hls.js latency estimate p50',
    unit: 'ms',
    value: percentile(hlsJs, 50),
  });
} finally {
  await browser?.close();
  for (const viewer of viewers) viewer.stop();
  publisher.stop();
  await publisherNc.close();
  await observer.close();
  await buffer.stop();
  await nats.stop();
  await dir.remove();
}
