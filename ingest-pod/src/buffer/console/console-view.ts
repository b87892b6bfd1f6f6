import { assessIngestReport, type PushEndpoints, pushEndpoints } from '@tributary/crds';
import type { StreamEvent } from '../../publish/publisher.js';
import type { InputStatus, StatusDocument } from '../../status/status-document.js';
import type { BufferedStream, BufferedStreamSummary } from '../buffered-stream.js';
import type { BoardEntry } from './stream-board.js';

/** A status report older than this says nothing about now (pods report at least every 5 s). */
export const STATUS_STALE_MS = 15_000;
/** Events sent per stream. */
const EVENTS_SHOWN = 20;

export interface PushListenerAddresses {
  rtmp?: string | undefined;
  srt?: string | undefined;
}

/** One stream as the console page shows it. */
export interface ConsoleStream {
  namespace: string;
  name: string;
  /** Live, Degraded, Failed, Connecting, or Unknown without a recent status report. */
  phase: string;
  /** Why: the Live condition's message, and the Degraded one's when degraded. */
  message: string;
  degraded: string | null;
  activeInput: number | null;
  inputs: Pick<InputStatus, 'priority' | 'url' | 'state' | 'bitrateKbps' | 'errors' | 'lastPacketTime'>[];
  switches: StatusDocument['switches'];
  /** Switches away from an input that was active (not the first activation), of the last 20. */
  failovers: number;
  /** Newest last. */
  events: Pick<StreamEvent, 'type' | 'at' | 'payload'>[];
  /** Where encoders publish, for a stream with a push input (when the buffer knows the listener). */
  publish: PushEndpoints | null;
  /** What the buffer holds; null before any media arrived. */
  buffer: Omit<BufferedStreamSummary, 'namespace' | 'name'> | null;
  /** kbit/s per second over the last 5 minutes, oldest first. */
  bitrateKbps: number[];
}

function phaseOf(
  entry: BoardEntry | undefined,
  now: number,
): Pick<ConsoleStream, 'phase' | 'message' | 'degraded'> {
  const status = entry?.status;
  if (status === undefined || entry?.statusAt === undefined)
    return { phase: 'Unknown', message: 'no status report from the ingest pod yet', degraded: null };
  const silentMs = now - entry.statusAt;
  if (silentMs > STATUS_STALE_MS)
    return {
      phase: 'Unknown',
      message: `no status report for ${Math.round(silentMs / 1000)} s`,
      degraded: null,
    };
  const label = (i: number) => `input ${i}`;
  const { phase, live, degraded } = assessIngestReport(status, label);
  return { phase, message: live.message, degraded: degraded.status === 'True' ? degraded.message : null };
}

/** What the page shows for one stream, from its status, its events and its buffer. Pure. */
export function consoleStream(
  key: { namespace: string; name: string },
  entry: BoardEntry | undefined,
  buffered: BufferedStream | undefined,
  listener: PushListenerAddresses,
  now: number,
): ConsoleStream {
  const status = entry?.status;
  const hasPushInput = status?.inputs.some((input) => input.url.startsWith('publish:')) ?? false;
  const summary = buffered?.summary();
  return {
    namespace: key.namespace,
    name: key.name,
    ...phaseOf(entry, now),
    activeInput: status?.activeInput ?? null,
    inputs: (status?.inputs ?? []).map(({ priority, url, state, bitrateKbps, errors, lastPacketTime }) => ({
      priority,
      url,
      state,
      bitrateKbps,
      errors,
      lastPacketTime,
    })),
    switches: status?.switches ?? [],
    failovers: (status?.switches ?? []).filter((s) => s.from >= 0).length,
    events: (entry?.events ?? [])
      .slice(-EVENTS_SHOWN)
      .map(({ type, at, payload }) => ({ type, at, payload })),
    publish:
      hasPushInput && (listener.rtmp || listener.srt)
        ? pushEndpoints(listener, key.namespace, key.name)
        : null,
    buffer: summary === undefined ? null : withoutName(summary),
    bitrateKbps: buffered?.bitrate.kbps(now) ?? [],
  };
}

function withoutName({ namespace: _ns, name: _name, ...rest }: BufferedStreamSummary) {
  return rest;
}
