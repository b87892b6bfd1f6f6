// Script tags: onMetaData (or a publisher's `@setDataFrame, onMetaData, {…}`) is kept for probe;
// other script data (cue points, |RtmpSampleAccess, text) is not media and is ignored.
import { type Amf0Value, decodeAmf0 } from '../amf0/amf0.js';

export type ScriptTagContent =
  | { kind: 'metadata'; metadata: Record<string, Amf0Value> }
  | { kind: 'ignored' }
  | { kind: 'malformed'; detail: string };

function isRecord(v: Amf0Value): v is Record<string, Amf0Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function readScriptTag(data: Uint8Array): ScriptTagContent {
  let values: Amf0Value[];
  try {
    values = decodeAmf0(data);
  } catch (e) {
    return { kind: 'malformed', detail: `script tag: ${(e as Error).message}` };
  }
  const at = values[0] === '@setDataFrame' ? 1 : 0;
  if (values[at] !== 'onMetaData') return { kind: 'ignored' };
  const metadata = values[at + 1];
  if (!isRecord(metadata)) return { kind: 'malformed', detail: 'onMetaData without an object' };
  return { kind: 'metadata', metadata: { ...metadata } };
}
