// RTP media clock → 90 kHz ticks, and the RTCP sender reports (RFC 3550 §6.4.1) that tie each
// track's clock to one wallclock so tracks can share a timeline.

const TICKS_PER_SECOND = 90_000;
const WRAP = 2 ** 32;
/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2_208_988_800;

/** (a - b) on the 32-bit circle, signed. */
function timestampDelta(a: number, b: number): number {
  const d = (a - b) % WRAP;
  if (d >= WRAP / 2) return d - WRAP;
  if (d < -WRAP / 2) return d + WRAP;
  return d;
}

/**
 * One track's clock: RTP timestamps (any rate, wrapping at 2^32) to 90 kHz ticks that keep
 * counting past the wrap. Ticks start at the first timestamp's own value, scaled.
 */
export class RtpClock {
  private lastRaw: number | null = null;
  /** `lastRaw` unwrapped, in the RTP clock. */
  private extended = 0;

  constructor(readonly clockRate: number) {
    if (!(clockRate > 0)) throw new Error(`clock rate ${clockRate}: must be a positive number of Hz`);
  }

  /** Ticks for a packet's timestamp; steps backwards (B-frames) stay backwards. */
  ticks(timestamp: number): number {
    this.extended = this.unwrapped(timestamp);
    this.lastRaw = timestamp >>> 0;
    return this.scale(this.extended);
  }

  /** Ticks for a timestamp without moving the clock (a sender report's RTP time). */
  peek(timestamp: number): number {
    return this.scale(this.unwrapped(timestamp));
  }

  private unwrapped(timestamp: number): number {
    if (this.lastRaw === null) return timestamp >>> 0;
    return this.extended + timestampDelta(timestamp >>> 0, this.lastRaw);
  }

  private scale(extended: number): number {
    return Math.round((extended * TICKS_PER_SECOND) / this.clockRate);
  }
}

export interface SenderReport {
  ssrc: number;
  /** The report's wallclock as Unix seconds (fractional). */
  wallclockSeconds: number;
  /** The RTP timestamp that corresponds to that wallclock. */
  rtpTimestamp: number;
}

const RTCP_SR = 200;

/** Pure: the sender reports in a (compound) RTCP packet; other RTCP packets are skipped. */
export function parseSenderReports(d: Uint8Array): SenderReport[] {
  const reports: SenderReport[] = [];
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let at = 0;
  while (at + 4 <= d.length) {
    if (d[at]! >> 6 !== 2) break;
    const bytes = 4 * (view.getUint16(at + 2) + 1);
    if (at + bytes > d.length) break;
    if (d[at + 1] === RTCP_SR && bytes >= 28) {
      const seconds = view.getUint32(at + 8);
      const fraction = view.getUint32(at + 12);
      reports.push({
        ssrc: view.getUint32(at + 4),
        wallclockSeconds: seconds - NTP_UNIX_OFFSET + fraction / WRAP,
        rtpTimestamp: view.getUint32(at + 16),
      });
    }
    at += bytes;
  }
  return reports;
}

/** One track's latest sender report, with its RTP time already in that track's ticks. */
export interface TrackAnchor {
  trackId: number;
  wallclockSeconds: number;
  ticks: number;
}

/**
 * Pure: ticks to add to each track so equal wallclock instants get equal ticks. The track with
 * the smallest (wallclock − ticks) gets 0; the others move forward, never back.
 */
export function alignmentOffsets(anchors: readonly TrackAnchor[]): Map<number, number> {
  const origin = anchors.map((a) => Math.round(a.wallclockSeconds * TICKS_PER_SECOND) - a.ticks);
  const base = Math.min(...origin);
  return new Map(anchors.map((a, i) => [a.trackId, origin[i]! - base]));
}
