// The AAC configuration of an 'mp4a' sample entry: its esds box (ISO/IEC 14496-14 §5.6) holds an
// ES_Descriptor (14496-1 §7.2.6.5) whose DecoderConfigDescriptor names the audio object type and
// carries the AudioSpecificConfig. Read here rather than through mp4box, which loses the esds of
// QuickTime (version 1 and 2) sound descriptions.

export interface EsdsAudio {
  /** objectTypeIndication: 0x40 MPEG-4 audio, 0x66–0x68 MPEG-2 AAC, 0x69/0x6B MPEG audio (MP3). */
  oti: number;
  /** DecoderSpecificInfo (the AudioSpecificConfig for AAC); empty when absent. */
  specific: Uint8Array;
}

const ES_TAG = 3;
const DECODER_CONFIG_TAG = 4;
const DECODER_SPECIFIC_TAG = 5;
const DECODER_CONFIG_FIXED_BYTES = 13;

/** Pure: the body of the first box of `type` nested anywhere in `bytes`, found by its fourcc and a size that fits. */
export function findNestedBox(bytes: Uint8Array, type: string): Uint8Array | undefined {
  const code = [...type].map((c) => c.charCodeAt(0));
  for (let at = 4; at + 4 <= bytes.length; at++) {
    if (code.some((c, i) => bytes[at + i] !== c)) continue;
    const start = at - 4;
    const size =
      ((bytes[start]! << 24) >>> 0) +
      (bytes[start + 1]! << 16) +
      (bytes[start + 2]! << 8) +
      bytes[start + 3]!;
    if (size >= 8 && start + size <= bytes.length) return bytes.subarray(at + 4, start + size);
  }
  return undefined;
}

/** A descriptor's tag, body start and end at `p`, or null when it runs past `end`. */
function descriptor(
  d: Uint8Array,
  p: number,
  end: number,
): { tag: number; body: number; end: number } | null {
  if (p >= end) return null;
  const tag = d[p++]!;
  let size = 0;
  for (let i = 0; i < 4; i++) {
    if (p >= end) return null;
    const b = d[p++]!;
    size = size * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) break;
  }
  return p + size <= end ? { tag, body: p, end: p + size } : null;
}

/** Pure: the audio decoder configuration of an esds box body (after its box header), or why not. */
export function readEsds(body: Uint8Array): EsdsAudio | string {
  const es = descriptor(body, 4, body.length); // after version and flags
  if (es === null || es.tag !== ES_TAG) return 'esds without an ES_Descriptor';
  let p = es.body + 2; // ES_ID
  const flags = body[p++] ?? 0;
  if (flags & 0x80) p += 2; // dependsOn_ES_ID
  if (flags & 0x40) p += 1 + (body[p] ?? 0); // URL
  if (flags & 0x20) p += 2; // OCR_ES_ID
  for (let d = descriptor(body, p, es.end); d !== null; d = descriptor(body, d.end, es.end)) {
    if (d.tag !== DECODER_CONFIG_TAG) continue;
    if (d.end - d.body < DECODER_CONFIG_FIXED_BYTES) return 'esds with a short DecoderConfigDescriptor';
    const oti = body[d.body]!;
    let specific = new Uint8Array(0);
    const inner = d.body + DECODER_CONFIG_FIXED_BYTES;
    for (let s = descriptor(body, inner, d.end); s !== null; s = descriptor(body, s.end, d.end)) {
      if (s.tag === DECODER_SPECIFIC_TAG) {
        specific = body.slice(s.body, s.end);
        break;
      }
    }
    return { oti, specific };
  }
  return 'esds without a DecoderConfigDescriptor';
}
