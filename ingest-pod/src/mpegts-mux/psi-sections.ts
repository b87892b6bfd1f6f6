// PAT and PMT sections (ISO/IEC 13818-1 §2.4.4), single-section, with their CRC-32.
import { crc32Mpeg } from '../mpegts/crc32.js';
import { TABLE_PAT, TABLE_PMT } from '../mpegts/psi-tables.js';

/** Largest section_length a PAT or PMT may have. */
const MAX_SECTION_LENGTH = 1021;
const TRANSPORT_STREAM_ID = 1;

export interface PmtEntry {
  streamType: number;
  pid: number;
  descriptors: Uint8Array;
}

/** table_id, then the long-form header up to last_section_number; body; CRC. */
function longSection(tableId: number, idExtension: number, version: number, body: number[]): Uint8Array {
  const sectionLength = 5 + body.length + 4;
  if (sectionLength > MAX_SECTION_LENGTH) {
    throw new Error(
      `tracks: the PMT would be ${sectionLength} bytes (max ${MAX_SECTION_LENGTH}); carry fewer tracks`,
    );
  }
  const s = new Uint8Array(3 + sectionLength);
  s.set([
    tableId,
    0xb0 | (sectionLength >> 8), // section_syntax_indicator, '0', reserved
    sectionLength & 0xff,
    idExtension >> 8,
    idExtension & 0xff,
    0xc1 | ((version & 0x1f) << 1), // reserved, version_number, current_next_indicator
    0, // section_number
    0, // last_section_number
  ]);
  s.set(body, 8);
  const crc = crc32Mpeg(s, 0, s.length - 4);
  s.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], s.length - 4);
  return s;
}

export function buildPat(program: number, pmtPid: number): Uint8Array {
  return longSection(TABLE_PAT, TRANSPORT_STREAM_ID, 0, [
    program >> 8,
    program & 0xff,
    0xe0 | (pmtPid >> 8),
    pmtPid & 0xff,
  ]);
}

export function buildPmt(
  program: number,
  version: number,
  pcrPid: number,
  programDescriptors: Uint8Array,
  streams: readonly PmtEntry[],
): Uint8Array {
  const body = [0xe0 | (pcrPid >> 8), pcrPid & 0xff];
  body.push(0xf0 | (programDescriptors.length >> 8), programDescriptors.length & 0xff, ...programDescriptors);
  for (const s of streams) {
    body.push(s.streamType, 0xe0 | (s.pid >> 8), s.pid & 0xff);
    body.push(0xf0 | (s.descriptors.length >> 8), s.descriptors.length & 0xff, ...s.descriptors);
  }
  return longSection(TABLE_PMT, program, version, body);
}
