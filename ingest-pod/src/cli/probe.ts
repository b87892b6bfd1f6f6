import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redactUrl } from '@tributary/crds';
import type { AVPacket } from '../avpacket.js';
import { DUMP_EXTENSION } from '../probe/dump-extension.js';
import { TrackSummaries, type TrackSummary } from '../probe/track-summary.js';
import type { ReaderEvent, ReaderInput } from '../reader/reader-api.js';
import { createReader } from '../sources/create-reader.js';
import { CliError, parseIntegerList, parseNonNegativeInteger, parsePositiveSeconds } from './args.js';

export const PROBE_USAGE = `usage: tributary probe <url> [--duration <s>] [--json] [--dump <dir>]
                       [--program <n>] [--pids <a,b,...>] [--vod-root <dir>]`;

interface ProbeReport {
  url: string;
  tracks: TrackSummary[];
  errors: string[];
}

export async function probeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      dump: { type: 'string' },
      program: { type: 'string' },
      pids: { type: 'string' },
      'vod-root': { type: 'string' },
    },
  });
  const url = positionals[0];
  if (!url || positionals.length > 1) throw new CliError(PROBE_USAGE);
  const input: ReaderInput = { url: probeUrl(url), priority: 0 };
  if (values.program !== undefined) input.program = parseNonNegativeInteger('--program', values.program);
  if (values.pids !== undefined) input.pids = parseIntegerList('--pids', values.pids, 0, 8191);
  const durationMs = parsePositiveSeconds('--duration', values.duration) * 1000;
  if (/^file:/i.test(url) && !values['vod-root']) {
    throw new CliError(
      'a file:// URL resolves against a VOD root: pass --vod-root <dir>, where <dir>/<mount>/<path> is the file',
    );
  }

  const report = await runProbe(input, durationMs, values['vod-root'], values.dump);
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  return report.tracks.length > 0 ? 0 : 1;
}

/** A probe reads a file once and as fast as it can, unless the URL says otherwise. */
function probeUrl(url: string): string {
  if (!/^file:/i.test(url)) return url;
  const parsed = new URL(url);
  if (!parsed.searchParams.has('loop')) parsed.searchParams.set('loop', 'false');
  if (!parsed.searchParams.has('pace')) parsed.searchParams.set('pace', 'none');
  return parsed.toString();
}

async function runProbe(
  input: ReaderInput,
  durationMs: number,
  vodRoot: string | undefined,
  dumpDir: string | undefined,
): Promise<ProbeReport> {
  const errors: string[] = [];
  const onEvent = (event: ReaderEvent) => {
    if (event.type === 'segment-skipped') errors.push(`segment skipped: ${event.uri}: ${event.reason}`);
    if (event.type === 'demux') errors.push(event.detail);
    if (event.type === 'unknown-stream') {
      errors.push(`unsupported stream type 0x${event.streamType.toString(16)} on PID ${event.pid}`);
    }
  };
  const reader = createReader(input, { ...(vodRoot ? { vodRoot } : {}), onEvent });
  const summaries = new TrackSummaries();
  const dump = dumpDir ? new Dump(dumpDir) : undefined;
  const deadline = AbortSignal.timeout(durationMs);
  const controller = new AbortController();
  deadline.addEventListener('abort', () => controller.abort(deadline.reason));
  try {
    await reader.open(controller.signal);
    let seq = 0;
    while (!controller.signal.aborted) {
      const batch = await Promise.race([reader.read(), aborted(controller.signal)]);
      if (!batch) break;
      for (const packet of batch) {
        summaries.add(packet);
        dump?.write(packet, seq++);
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) errors.push((error as Error).message);
  } finally {
    controller.abort();
    await reader.close().catch(() => {});
    await dump?.close();
  }
  summaries.describe(reader.tracks);
  return { url: redactUrl(input.url), tracks: summaries.summaries(), errors };
}

function aborted(signal: AbortSignal): Promise<null> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(null);
    else signal.addEventListener('abort', () => resolve(null), { once: true });
  });
}

/** `--dump`: each track as a raw elementary stream, plus one JSON line per AVPacket. */
class Dump {
  readonly #dir: string;
  readonly #tracks = new Map<number, WriteStream>();
  readonly #index: WriteStream;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.#dir = dir;
    this.#index = createWriteStream(join(dir, 'packets.jsonl'));
  }

  write(packet: AVPacket, seq: number): void {
    let out = this.#tracks.get(packet.trackId);
    if (!out) {
      out = createWriteStream(join(this.#dir, `${packet.trackId}.${DUMP_EXTENSION[packet.codec]}`));
      this.#tracks.set(packet.trackId, out);
    }
    out.write(packet.data);
    const line = {
      track: packet.trackId,
      codec: packet.codec,
      pts: packet.pts,
      dts: packet.dts,
      key: packet.key,
      size: packet.data.byteLength,
      seq,
      session: 1,
    };
    this.#index.write(`${JSON.stringify(line)}\n`);
  }

  async close(): Promise<void> {
    const streams = [...this.#tracks.values(), this.#index];
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(resolve))));
  }
}

function formatReport(report: ProbeReport): string {
  const lines = [`${report.url}`];
  for (const t of report.tracks) {
    const shape =
      t.width !== undefined
        ? `${t.width}x${t.height}`
        : t.sampleRate !== undefined
          ? `${t.sampleRate} Hz ${t.channels ?? '?'} ch`
          : '';
    lines.push(
      `  track ${t.id}: ${t.codec} ${shape} packets=${t.packets} keyframes=${t.keyframes} ` +
        `bytes=${t.bytes} pts=${t.firstPts}..${t.lastPts} bitrate=${t.bitrateKbps} kb/s`,
    );
  }
  if (report.tracks.length === 0) lines.push('  no media received');
  for (const e of report.errors) lines.push(`  error: ${e}`);
  return `${lines.join('\n')}\n`;
}
