import type { FailoverStatus, InputStatusState } from '../failover/status.js';
import type {
  ErrorStatus,
  LinkStatus,
  StreamStatusSnapshot,
  SwitchStatus,
  TrackStatus,
  UnknownStreamStatus,
} from '../status/status-types.js';

/** One input in the `.status` document. */
export interface IngestInputStatus {
  priority: number;
  /** Secrets redacted. */
  url: string;
  state: InputStatusState;
  /** ISO 8601; null before any media. */
  lastPacketTime: string | null;
  degradedSince: string | null;
  nextProbeAt: string | null;
  /** What was published from it lately (0 while it is not published). */
  bitrateKbps: number;
  tracks: TrackStatus[];
  unknownStreams: UnknownStreamStatus[];
  /** Newest first, at most 5. */
  errors: ErrorStatus[];
  /** Transport link statistics while the input's link is open (SRT). */
  link?: LinkStatus;
}

/** The JSON document on `<prefix>.<ns>.<stream>.status`, which the operator copies into the Stream. */
export interface IngestStatus {
  stream: { namespace: string; name: string };
  at: string;
  /** Priority of the published input (or, while none delivers, of the last one); null before any. */
  activeInput: number | null;
  live: boolean;
  overrideInput: number | null;
  exhausted: boolean;
  switching: FailoverStatus['switching'];
  inputs: IngestInputStatus[];
  /** Newest first, at most 20. */
  switches: SwitchStatus[];
  /** The Stream generation whose inputs and failover settings the pod runs. */
  configGeneration: number;
}

/**
 * Merges what the failover machine knows (states, errors, switches) with what the status tracker
 * measured (tracks, bitrates, unknown streams). Pure.
 */
export function composeStatus(
  tracked: StreamStatusSnapshot,
  failover: FailoverStatus,
  urls: readonly string[],
  configGeneration: number,
): IngestStatus {
  return {
    stream: tracked.stream,
    at: tracked.at,
    activeInput: failover.activeInput,
    live: failover.live,
    overrideInput: failover.overrideInput,
    exhausted: failover.exhausted,
    switching: failover.switching,
    inputs: failover.inputs.map((input) => {
      const measured = tracked.inputs[input.priority];
      const status: IngestInputStatus = {
        priority: input.priority,
        url: urls[input.priority] ?? '',
        state: input.state,
        lastPacketTime: input.lastPacketTime,
        degradedSince: input.degradedSince,
        nextProbeAt: input.nextProbeAt,
        bitrateKbps: measured?.bitrateKbps ?? 0,
        tracks: measured?.tracks ?? [],
        unknownStreams: measured?.unknownStreams ?? [],
        errors: input.errors,
      };
      if (measured?.link !== undefined) status.link = measured.link;
      return status;
    }),
    switches: failover.switches,
    configGeneration,
  };
}
