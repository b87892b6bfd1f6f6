// PAT and PMT section parsing (ISO/IEC 13818-1 §2.4.4). Input sections are whole and CRC-checked.

export interface PatEntry {
  program: number;
  pmtPid: number;
}

export interface PmtStream {
  streamType: number;
  pid: number;
  /** The ES_info descriptor loop, as (tag, body) pairs. */
  descriptors: { tag: number; body: Uint8Array }[];
}

export interface Pmt {
  program: number;
  version: number;
  pcrPid: number;
  streams: PmtStream[];
}

export const TABLE_PAT = 0x00;
export const TABLE_PMT = 0x02;

/** Long-form section header fields shared by PAT and PMT. */
export function sectionVersion(section: Uint8Array): number {
  return (section[5]! >> 1) & 0x1f;
}

function isCurrent(section: Uint8Array): boolean {
  return (section[5]! & 0x01) === 1;
}

/** Programs listed by one PAT section (program 0, the network PID, is left out). */
export function parsePat(section: Uint8Array): PatEntry[] | string | null {
  if (section[0] !== TABLE_PAT) return `table_id 0x${section[0]!.toString(16)} on PID 0`;
  if (section.length < 12) return 'PAT too short';
  if (!isCurrent(section)) return null;
  const entries: PatEntry[] = [];
  for (let i = 8; i + 4 <= section.length - 4; i += 4) {
    const program = (section[i]! << 8) | section[i + 1]!;
    const pid = ((section[i + 2]! & 0x1f) << 8) | section[i + 3]!;
    if (program !== 0) entries.push({ program, pmtPid: pid });
  }
  return entries;
}

function parseDescriptors(section: Uint8Array, start: number, end: number): PmtStream['descriptors'] {
  const out: PmtStream['descriptors'] = [];
  let pos = start;
  while (pos + 2 <= end) {
    const len = section[pos + 1]!;
    if (pos + 2 + len > end) break;
    out.push({ tag: section[pos]!, body: section.subarray(pos + 2, pos + 2 + len) });
    pos += 2 + len;
  }
  return out;
}

export function parsePmt(section: Uint8Array): Pmt | string | null {
  if (section[0] !== TABLE_PMT) return null;
  if (section.length < 16) return 'PMT too short';
  if (!isCurrent(section)) return null;
  const end = section.length - 4;
  const programInfoLength = ((section[10]! & 0x0f) << 8) | section[11]!;
  let pos = 12 + programInfoLength;
  if (pos > end) return 'program_info_length beyond the section';
  const streams: PmtStream[] = [];
  while (pos + 5 <= end) {
    const infoLength = ((section[pos + 3]! & 0x0f) << 8) | section[pos + 4]!;
    if (pos + 5 + infoLength > end) return 'ES_info_length beyond the section';
    streams.push({
      streamType: section[pos]!,
      pid: ((section[pos + 1]! & 0x1f) << 8) | section[pos + 2]!,
      descriptors: parseDescriptors(section, pos + 5, pos + 5 + infoLength),
    });
    pos += 5 + infoLength;
  }
  return {
    program: (section[3]! << 8) | section[4]!,
    version: sectionVersion(section),
    pcrPid: ((section[8]! & 0x1f) << 8) | section[9]!,
    streams,
  };
}
