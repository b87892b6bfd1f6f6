import {
  type InputError,
  type InputStatus,
  type LinkStatus,
  SWITCH_REASONS,
  type SwitchReason,
  type SwitchRecord,
  type TrackStatus,
} from '@tributary/crds';

/**
 * What an ingest pod reports on `<prefix>.<ns>.<stream>.status`, reduced to what the Stream's
 * status can hold. Built defensively: anything that would fail the CRD's schema is dropped or
 * clamped, so one odd snapshot never blocks a status write.
 */
export interface PodSnapshot {
  /** When the pod took it (epoch ms); undefined when it did not say. */
  at: number | undefined;
  activeInput: number | null;
  exhausted: boolean;
  inputs: InputStatus[];
  switches: SwitchRecord[];
  /** The Stream generation whose inputs and failover settings the pod runs; undefined: unknown. */
  configGeneration?: number | undefined;
}

const MAX_TEXT = 4096;
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function int(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const rounded = Math.round(value);
  return rounded >= min && rounded <= max ? rounded : undefined;
}

/** RFC 3339 in UTC, or undefined for anything Date cannot read. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

const text = (value: unknown, max = MAX_TEXT): string | undefined =>
  typeof value === 'string' ? value.slice(0, max) : undefined;

/** The pod's input states, in the Stream's words (`standby` is `idle`; a probed input is degraded). */
function inputState(value: unknown): string {
  const state = typeof value === 'string' ? value : '';
  if (state === 'standby') return 'idle';
  if (state === 'probing') return 'degraded';
  return /^[a-z][a-z_-]{0,31}$/.test(state) ? state : 'unknown';
}

function track(value: unknown): TrackStatus | undefined {
  if (!isObject(value)) return undefined;
  const trackId = int(value.trackId, 0);
  const codec = text(value.codec, 64);
  if (trackId === undefined || !codec) return undefined;
  const out: TrackStatus = { trackId, codec };
  for (const field of ['width', 'height', 'sampleRate', 'channels', 'bitrateKbps'] as const) {
    const n = int(value[field], 0);
    if (n !== undefined) out[field] = n;
  }
  return out;
}

const LINK_FIELDS = [
  'rttMs',
  'latencyMs',
  'bandwidthKbps',
  'receiveRateKbps',
  'receiveBufferMs',
  'packetsReceived',
  'packetsLost',
  'packetsRetransmitted',
  'packetsDropped',
] as const satisfies readonly (keyof LinkStatus)[];

function link(value: unknown): LinkStatus | undefined {
  if (!isObject(value)) return undefined;
  const out: LinkStatus = {};
  for (const field of LINK_FIELDS) {
    const n = int(value[field], 0);
    if (n !== undefined) out[field] = n;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function inputError(value: unknown): InputError | undefined {
  if (!isObject(value)) return undefined;
  const message = text(value.message);
  const at = isoTime(value.at);
  return message !== undefined && at ? { message, at } : undefined;
}

function input(value: unknown, index: number): InputStatus | undefined {
  if (!isObject(value)) return undefined;
  const priority = int(value.priority, 0, 7) ?? index;
  const out: InputStatus = { priority, state: inputState(value.state) };
  const lastPacketTime = isoTime(value.lastPacketTime);
  if (lastPacketTime) out.lastPacketTime = lastPacketTime;
  const bitrate = int(value.bitrateKbps, 0);
  if (bitrate !== undefined) out.bitrateKbps = bitrate;
  const tracks = list(value.tracks)
    .map(track)
    .filter((t) => t !== undefined);
  out.tracks = tracks.slice(0, 64);
  out.errors = list(value.errors)
    .map(inputError)
    .filter((e) => e !== undefined)
    .slice(0, 5);
  const linkStatus = link(value.link);
  if (linkStatus !== undefined) out.link = linkStatus;
  return out;
}

function switchRecord(value: unknown): SwitchRecord | undefined {
  if (!isObject(value)) return undefined;
  const at = isoTime(value.at);
  const from = int(value.from, -1, 7);
  const to = int(value.to, 0, 7);
  if (!at || from === undefined || to === undefined) return undefined;
  const raw = typeof value.reason === 'string' ? value.reason : '';
  const known = (SWITCH_REASONS as readonly string[]).includes(raw);
  const reason = (known ? raw : 'error') as SwitchReason;
  const detail = [known ? '' : raw, text(value.detail) ?? ''].filter(Boolean).join(': ').slice(0, MAX_TEXT);
  return detail ? { at, from, to, reason, detail } : { at, from, to, reason };
}

/** Parses a status message; undefined when it is not a JSON object at all. */
export function parseSnapshot(payload: string): PodSnapshot | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const at = isoTime(value.at);
  return {
    at: at === undefined ? undefined : Date.parse(at),
    activeInput: int(value.activeInput, 0, 7) ?? null,
    exhausted: value.exhausted === true,
    inputs: list(value.inputs)
      .map(input)
      .filter((i) => i !== undefined)
      .slice(0, 8),
    switches: list(value.switches)
      .map(switchRecord)
      .filter((s) => s !== undefined)
      .slice(0, 20),
    configGeneration: int(value.configGeneration, 0),
  };
}
