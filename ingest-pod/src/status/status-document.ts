import type {
  ErrorView,
  FailoverView,
  InputViewState,
  SwitchingView,
  SwitchView,
} from '../failover/failover-view.js';
import type {
  InputMeasurements,
  RoundedLinkStats,
  TrackStats,
  UnknownStream,
} from '../media-stats/measurements.js';

/**
 * The JSON document published on `<prefix>.<ns>.<stream>.status`, which the operator copies into
 * the Stream's status. Times are ISO 8601 strings.
 */
export interface StatusDocument {
  stream: { namespace: string; name: string };
  /** When the document was composed. */
  at: string;
  /** Priority of the published input (or, while none delivers, of the last one); null before any. */
  activeInput: number | null;
  /** Whether that input is delivering right now. */
  live: boolean;
  overrideInput: number | null;
  /** True while no input is healthy. */
  exhausted: boolean;
  switching: SwitchingView | null;
  inputs: InputStatus[];
  /** Newest first, at most 20. */
  switches: SwitchView[];
  /** The Stream generation whose inputs and failover settings the pod runs. */
  configGeneration: number;
}

/** One input in the `.status` document. */
export interface InputStatus {
  priority: number;
  /** Secrets redacted. */
  url: string;
  state: InputViewState;
  /** ISO 8601; null before any media. */
  lastPacketTime: string | null;
  degradedSince: string | null;
  nextProbeAt: string | null;
  /** What was published from it lately (0 while it is not published). */
  bitrateKbps: number;
  tracks: TrackStats[];
  unknownStreams: UnknownStream[];
  /** Newest first, at most 5. */
  errors: ErrorView[];
  /** Transport link statistics while the input's link is open (SRT). */
  link?: RoundedLinkStats;
}

export interface StatusSources {
  stream: { namespace: string; name: string };
  /** Epoch ms. */
  at: number;
  /** States, errors, switches. */
  failover: FailoverView;
  /** Tracks, bitrates, unknown streams and links, by priority. */
  media: readonly InputMeasurements[];
  /** Redacted, by priority. */
  urls: readonly string[];
  configGeneration: number;
}

/** Merges what the failover machine knows with what was measured of the media. Pure. */
export function composeStatusDocument(sources: StatusSources): StatusDocument {
  const { failover, media, urls } = sources;
  return {
    stream: { ...sources.stream },
    at: new Date(sources.at).toISOString(),
    activeInput: failover.activeInput,
    live: failover.live,
    overrideInput: failover.overrideInput,
    exhausted: failover.exhausted,
    switching: failover.switching,
    inputs: failover.inputs.map((input) => {
      const measured = media[input.priority];
      const status: InputStatus = {
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
    configGeneration: sources.configGeneration,
  };
}

/**
 * The parts of the document whose change is worth publishing at once: all but the time it was
 * composed, packet times, link statistics and bitrates (only whether an input delivers counts),
 * which wobble and are left to the periodic publication.
 */
export function changeSignature(document: StatusDocument): string {
  const { at, inputs, ...rest } = document;
  return JSON.stringify({
    ...rest,
    inputs: inputs.map(({ lastPacketTime, link, bitrateKbps, tracks, ...input }) => ({
      ...input,
      delivering: bitrateKbps > 0,
      tracks: tracks.map(({ bitrateKbps, ...track }) => track),
    })),
  });
}
