// Splits one payload unit (a PES packet, or a PSI section behind its pointer_field) into 188-byte
// TS packets written straight into the caller's buffer: header, adaptation field, payload.
// The unit is `head` followed by `body`, so a PES header and the access unit are never joined.
import { writePcr as writePcrField } from './timestamps.js';

export const TS_PACKET = 188;
const SYNC = 0x47;
const HEADER = 4;
const ROOM = TS_PACKET - HEADER;

const AF_DISCONTINUITY = 0x80;
const AF_RANDOM_ACCESS = 0x40;
const AF_PCR = 0x10;
const PCR_BYTES = 6;

/** One PID's continuity counter and pending discontinuity_indicator. */
export class PidState {
  /** continuity_counter of the next packet. */
  cc = 0;
  /** Set the discontinuity_indicator on the next packet (a session boundary). */
  discontinuity = false;

  constructor(readonly pid: number) {}
}

/** What the first packet of a unit signals; `pcr` < 0 for none. */
export interface UnitStart {
  randomAccess: boolean;
  pcr: number;
}

const NO_SIGNAL: UnitStart = { randomAccess: false, pcr: -1 };

/** Adaptation-field bytes (length byte included) the first packet needs for its flags and PCR. */
function firstAdaptationBytes(state: PidState, start: UnitStart): number {
  if (start.pcr >= 0) return 2 + PCR_BYTES;
  return state.discontinuity || start.randomAccess ? 2 : 0;
}

/** TS packets a unit of `length` bytes takes on `state`'s PID. */
export function packetCount(length: number, state: PidState, start: UnitStart = NO_SIGNAL): number {
  const first = ROOM - firstAdaptationBytes(state, start);
  return length <= first ? 1 : 1 + Math.ceil((length - first) / ROOM);
}

/**
 * Writes head[0..headLength) + body[bodyStart..bodyEnd) as TS packets at out[at..] and returns
 * the offset after them. PES units end with adaptation-field stuffing; sections (`padSection`)
 * end with 0xff bytes after the section, as PSI does. Advances the PID's continuity counter.
 */
export function writeUnit(
  out: Uint8Array,
  at: number,
  state: PidState,
  head: Uint8Array,
  headLength: number,
  body: Buffer,
  bodyStart: number,
  bodyEnd: number,
  start: UnitStart = NO_SIGNAL,
  padSection = false,
): number {
  let remaining = headLength + bodyEnd - bodyStart;
  let headPos = 0;
  let bodyPos = bodyStart;
  let pos = at;
  let first = true;
  while (first || remaining > 0) {
    const afNeeded = first ? firstAdaptationBytes(state, start) : 0;
    const room = ROOM - afNeeded;
    const take = Math.min(remaining, room);
    const stuffing = padSection ? 0 : room - take;
    const afBytes = afNeeded + stuffing;
    out[pos] = SYNC;
    out[pos + 1] = (first ? 0x40 : 0) | ((state.pid >> 8) & 0x1f);
    out[pos + 2] = state.pid & 0xff;
    out[pos + 3] = (afBytes > 0 ? 0x30 : 0x10) | state.cc;
    state.cc = (state.cc + 1) & 0x0f;
    let p = pos + HEADER;
    if (afBytes > 0) {
      out[p++] = afBytes - 1; // adaptation_field_length
      if (afBytes > 1) {
        let flags = 0;
        if (first && state.discontinuity) flags |= AF_DISCONTINUITY;
        if (first && start.randomAccess) flags |= AF_RANDOM_ACCESS;
        if (first && start.pcr >= 0) flags |= AF_PCR;
        out[p++] = flags;
        if (flags & AF_PCR) {
          writePcrField(out, p, start.pcr);
          p += PCR_BYTES;
        }
        out.fill(0xff, p, pos + HEADER + afBytes);
        p = pos + HEADER + afBytes;
      }
    }
    if (first) state.discontinuity = false;
    // Payload: what is left of the head, then the body.
    let want = take;
    if (headPos < headLength) {
      const n = Math.min(want, headLength - headPos);
      for (let i = 0; i < n; i++) out[p++] = head[headPos++]!; // a few header bytes
      want -= n;
    }
    if (want > 0) {
      body.copy(out, p, bodyPos, bodyPos + want);
      bodyPos += want;
      p += want;
    }
    if (padSection) out.fill(0xff, p, pos + TS_PACKET);
    remaining -= take;
    pos += TS_PACKET;
    first = false;
  }
  return pos;
}
