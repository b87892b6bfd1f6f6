import { classify, type IngestConfig, type IngestInput, routeKey } from '@tributary/crds';
import type { PublishKeyHash, RouteEntry } from '../registry/registry-api.js';
import { type Env, resolvedParams } from './resolve-input.js';

/** SRT's passphrase length limits: a publish key outside them cannot double as the passphrase. */
const PASSPHRASE_MIN = 10;
const PASSPHRASE_MAX = 79;
const PBKEYLENS = new Set([16, 24, 32]);

export interface RouteSecrets {
  hashPublishKey(key: string): PublishKeyHash | Promise<PublishKeyHash>;
  /** Seals `plaintext` to the push-listener's public key (SPKI DER, base64). */
  sealSecret(publicKeySpkiBase64: string, plaintext: string): string | Promise<string>;
}

/** The config's push input (the first, should a spec have several: one route per Stream). */
export function pushInputOf(config: IngestConfig): IngestInput | undefined {
  return config.inputs.find((input) => {
    const classified = classify(input.url);
    return classified.ok && classified.mode === 'push';
  });
}

export type RoutePlan =
  | { ok: true; route: RouteEntry; key: string; notes: string[] }
  | { ok: false; reason: string };

/**
 * The route an ingest pod registers for its push input. The SRT passphrase is the input's
 * `passphrase` param, else the publish key when SRT accepts it as one; it is sealed to the
 * listener's key, and without that key (or a usable passphrase) the route has no `srt`: SRT
 * publishing is refused, RTMP works. `notes` say why, for the log; no secret is in any text.
 */
export async function planRoute(
  config: IngestConfig,
  input: IngestInput,
  env: Env,
  secrets: RouteSecrets,
  owner: string,
  now: Date = new Date(),
): Promise<RoutePlan> {
  if (input.publishKeyEnv === undefined) return { ok: false, reason: 'the push input has no publishKeyEnv' };
  const key = env[input.publishKeyEnv];
  if (key === undefined || key === '') {
    return { ok: false, reason: `publish key env var ${input.publishKeyEnv} is not set` };
  }
  const { namespace, name: stream, uid } = config.stream;
  const route: RouteEntry = {
    v: 1,
    namespace,
    stream,
    uid,
    publishKey: await secrets.hashPublishKey(key),
    owner,
    registeredAt: now.toISOString(),
  };
  const notes: string[] = [];
  const params = resolvedParams(input, env);
  const passphrase =
    params.passphrase ?? (key.length >= PASSPHRASE_MIN && key.length <= PASSPHRASE_MAX ? key : undefined);
  if (config.pushListenerKey === undefined) {
    notes.push('no pushListenerKey in the config: SRT publishing to this stream is refused');
  } else if (passphrase === undefined) {
    notes.push(
      `no passphrase param and the publish key is not ${PASSPHRASE_MIN}-${PASSPHRASE_MAX} characters: SRT publishing is refused`,
    );
  } else {
    let sealed: string;
    try {
      sealed = await secrets.sealSecret(config.pushListenerKey, passphrase);
    } catch (error) {
      notes.push(
        `cannot seal the SRT passphrase to pushListenerKey (${(error as Error).message}): SRT publishing is refused`,
      );
      return { ok: true, route, key: routeKey(namespace, stream), notes };
    }
    const srt: NonNullable<RouteEntry['srt']> = { sealed };
    const pbkeylen = Number(params.pbkeylen);
    if (params.pbkeylen !== undefined) {
      if (PBKEYLENS.has(pbkeylen)) srt.pbkeylen = pbkeylen as 16 | 24 | 32;
      else
        notes.push(`pbkeylen ${JSON.stringify(params.pbkeylen)} is not 16, 24 or 32: left to the listener`);
    }
    const latency = Number(params.latency);
    if (params.latency !== undefined) {
      if (Number.isInteger(latency) && latency >= 0) srt.latencyMs = latency;
      else
        notes.push(
          `latency ${JSON.stringify(params.latency)} is not a whole number of ms: left to the listener`,
        );
    }
    route.srt = srt;
  }
  return { ok: true, route, key: routeKey(namespace, stream), notes };
}
