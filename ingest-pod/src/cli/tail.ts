import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { DEFAULT_SUBJECT_PREFIX, parseRouteKey, subjects } from '@tributary/crds';
import { decodeEnvelope, isWireError, LossCounter, Reassembler, type WirePacket } from '../wire/index.js';
import { CliError, parsePositiveSeconds } from './args.js';

export const TAIL_USAGE = `usage: tributary tail <namespace>/<stream> [--nats <url>] [--creds <file>] [--prefix <p>]
                      [--summary-only] [--no-events] [--duration <s>]
  Prints every AVPacket published for the Stream, the Stream's events, and a summary per second.
  NATS defaults to env NATS_URL, then nats://127.0.0.1:4222.`;

interface TrackWindow {
  codec: string;
  packets: number;
  keyframes: number;
  bytes: number;
}

/** What arrived during one summary period. */
class Window {
  tracks = new Map<number, TrackWindow>();
  inputs = new Set<string>();
  sessionStarts = 0;

  add(packet: WirePacket): void {
    let track = this.tracks.get(packet.trackId);
    if (track === undefined) {
      track = { codec: packet.codec, packets: 0, keyframes: 0, bytes: 0 };
      this.tracks.set(packet.trackId, track);
    }
    track.packets++;
    if (packet.key) track.keyframes++;
    track.bytes += packet.data.byteLength;
    this.inputs.add(packet.inputPriority === null ? '-' : String(packet.inputPriority));
    if (packet.sessionStart) this.sessionStarts++;
  }

  summary(seconds: number, lost: number): string {
    const tracks = [...this.tracks.entries()].sort(([a], [b]) => a - b);
    const packets = tracks.reduce((sum, [, t]) => sum + t.packets, 0);
    const bytes = tracks.reduce((sum, [, t]) => sum + t.bytes, 0);
    const perTrack = tracks.map(([id, t]) => `${id} ${t.codec} ${t.packets} (${t.keyframes} key)`).join(', ');
    const kbps = Math.round((bytes * 8) / seconds / 1000);
    return (
      `-- ${packets} packets, ${kbps} kb/s, input ${[...this.inputs].join('/') || '-'}, ` +
      `lost ${lost}, new sessions ${this.sessionStarts}; tracks: ${perTrack || 'none'}`
    );
  }
}

function packetLine(p: WirePacket): string {
  const flags = `${p.key ? 'K' : '-'}${p.sessionStart ? 'S' : '-'}`;
  const input = p.inputPriority === null ? '-' : p.inputPriority;
  return (
    `${new Date(p.wallTimeMs).toISOString()} input=${input} session=${p.sessionId} seq=${p.seq} ` +
    `track=${p.trackId} ${p.codec} ${flags} pts=${p.pts} dts=${p.dts} size=${p.data.byteLength}`
  );
}

/** `tributary tail <ns>/<stream>`: live packets of a Stream, straight from NATS. */
export async function tailCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      nats: { type: 'string' },
      creds: { type: 'string' },
      prefix: { type: 'string', default: DEFAULT_SUBJECT_PREFIX },
      'summary-only': { type: 'boolean', default: false },
      'no-events': { type: 'boolean', default: false },
      duration: { type: 'string' },
    },
  });
  const key = positionals.length === 1 ? parseRouteKey(positionals[0] ?? '') : undefined;
  if (key === undefined) throw new CliError(TAIL_USAGE);
  let names: ReturnType<typeof subjects>;
  try {
    names = subjects(values.prefix, key.namespace, key.stream);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const durationMs =
    values.duration === undefined ? undefined : parsePositiveSeconds('--duration', values.duration) * 1000;
  const creds = values.creds ?? process.env.NATS_CREDS;
  const nc = await connect({
    servers: values.nats ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    name: 'tributary-tail',
    ...(creds ? { authenticator: credsAuthenticator(() => readFileSync(creds)) } : {}),
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`tailing ${names.av}`);

  const reassembler = new Reassembler();
  const loss = new LossCounter();
  let window = new Window();
  let lost = 0;
  let totalLost = 0;
  let joined = false;
  nc.subscribe(names.av, {
    callback: (error, message) => {
      if (error !== null) return;
      const envelope = decodeEnvelope(message.data);
      if (isWireError(envelope)) {
        process.stderr.write(`bad envelope: ${envelope.kind}: ${envelope.message}\n`);
        return;
      }
      const packet = reassembler.push(envelope);
      if (packet === undefined) return;
      const gap = loss.observe(packet.sessionId, packet.seq);
      // Joining mid-session is not loss: the gap before the first packet seen is not counted.
      if (joined) {
        lost += gap;
        totalLost += gap;
      }
      joined = true;
      window.add(packet);
      if (!values['summary-only']) out(packetLine(packet));
    },
  });
  if (!values['no-events']) {
    nc.subscribe(names.events, {
      callback: (error, message) => {
        if (error !== null) return;
        const event = message.json<{ type?: string; payload?: unknown }>();
        out(`event ${event.type} ${JSON.stringify(event.payload ?? {})}`);
      },
    });
  }
  let last = performance.now();
  const summary = setInterval(() => {
    const now = performance.now();
    out(window.summary((now - last) / 1000, lost));
    lost = 0;
    last = now;
    window = new Window();
  }, 1000);

  await new Promise<void>((resolve) => {
    const finish = () => resolve();
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (durationMs !== undefined) setTimeout(finish, durationMs).unref();
  });
  clearInterval(summary);
  await nc.drain();
  out(`received ${loss.stats.received} packets, lost ${totalLost}`);
  return 0;
}
