// Shared by the push benches (push-latency, push-failover, push-cost): the load line, the media,
// the listener as the image runs it, and routes registered the way an ingest pod registers them.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import type { IngestConfig } from '@tributary/crds';
import {
  hashPublishKey,
  loadSealingKey,
  openRegistry,
  publicKeyOf,
  sealSecret,
} from '../ingest-pod/src/registry/index.js';
import type { RouteEntry } from '../ingest-pod/src/registry/registry-api.js';
import { cachedMedia } from './cached-media.js';
import { bundleIngestPod, podNodeFlags } from './ingest-support.js';

/** "load average 0.52 0.61 0.70 (1, 5, 15 min) on 2 cores": another run on the machine shows here. */
export function loadAverageLine(): string {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  return `load average ${one} ${five} ${fifteen} (1, 5, 15 min) on ${cpus().length} cores`;
}

/**
 * 20 s of 720p30 H.264 without B-frames (1 s GOP) + AAC at `videoMbps`, looped with -c copy to
 * about `seconds`; built once into the bench cache. `format` is flv (RTMP) or mpegts (SRT).
 */
export function pushMedia(options: { videoMbps: number; format: 'flv' | 'mpegts'; seconds: number }): string {
  const rate = `${options.videoMbps}M`;
  const approxBytesPerSecond = ((options.videoMbps + 0.13) * 1e6) / 8;
  return cachedMedia({
    name: `push-720p-${rate}-nobf.${options.format === 'flv' ? 'flv' : 'ts'}`,
    format: options.format,
    minBytes: Math.round(approxBytesPerSecond * options.seconds),
    encode: [
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
      ...['-b:v', rate, '-maxrate', rate, '-bufsize', '2M'],
      ...['-g', '30', '-keyint_min', '30', '-sc_threshold', '0'],
      ...['-c:a', 'aac', '-b:a', '128k', '-ac', '2'],
      ...(options.format === 'mpegts' ? ['-muxrate', `${options.videoMbps + 0.25}M`] : []),
    ],
  });
}

/**
 * node's arguments before a `tributary` subcommand, as the image runs it: the pod's node flags and
 * the esbuild bundle (built here), or this checkout's tsx entry when bundling failed.
 */
export function imageEntry(): { args: string[]; runtime: string } {
  const bundle = bundleIngestPod();
  if (bundle === undefined) {
    return { args: [new URL('../ingest-pod/bin/tributary.js', import.meta.url).pathname], runtime: 'tsx' };
  }
  const flags = podNodeFlags();
  return { args: [...flags, bundle], runtime: `esbuild bundle, node ${flags.join(' ')}` };
}

/** The SPKI (base64) of a sealing key file's public half: what an ingest pod seals passphrases to. */
export function listenerPublicKey(sealingKeyFile: string): string {
  return publicKeyOf(loadSealingKey(readFileSync(sealingKeyFile, 'utf8')));
}

/** Registers `<namespace>/<stream>` with the publish key's hash and, given one, a sealed SRT passphrase. */
export async function registerRoute(
  nc: NatsConnection,
  route: { namespace: string; stream: string; key: string; passphrase?: string; listenerKey: string },
): Promise<void> {
  const registry = await openRegistry(nc);
  const entry: RouteEntry = {
    v: 1,
    namespace: route.namespace,
    stream: route.stream,
    uid: `uid-${route.stream}`,
    publishKey: await hashPublishKey(route.key),
    owner: 'bench',
    registeredAt: new Date().toISOString(),
    ...(route.passphrase !== undefined && {
      srt: { sealed: sealSecret(route.listenerKey, route.passphrase) },
    }),
  };
  try {
    await registry.register(entry);
  } finally {
    await registry.close();
  }
}

/** An ingest pod's config with one push input (key from env PUSH_KEY), sealing to the listener's key. */
export function pushIngestConfig(stream: string, sealingKeyFile: string): IngestConfig {
  return {
    stream: { namespace: 'bench', name: stream, uid: `uid-${stream}`, generation: 1 },
    inputs: [
      {
        url: 'publish://',
        priority: 0,
        publishKeyEnv: 'PUSH_KEY',
        ...{ headers: {}, headersFromEnv: [], params: {}, paramsFromEnv: [] },
      },
    ],
    failover: {},
    subjectPrefix: 'tributary',
    pushListenerKey: listenerPublicKey(sealingKeyFile),
  };
}
