/**
 * AMF0, the value encoding of RTMP commands and FLV script tags (onMetaData). Decoding is total:
 * malformed input throws an Amf0Error, never reads past the buffer, and nesting is bounded.
 */
export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Amf0Value[]
  | { [key: string]: Amf0Value };

export class Amf0Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Amf0Error';
  }
}

const MARKER = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  null: 0x05,
  undefined: 0x06,
  reference: 0x07,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
  unsupported: 0x0d,
  xmlDocument: 0x0f,
  typedObject: 0x10,
} as const;

/** Deeper nesting than any real command or metadata; bounds recursion on hostile input. */
const MAX_DEPTH = 32;
/** Entries of one object or array; a strict array's declared count is not trusted beyond this. */
const MAX_ENTRIES = 65_536;

const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

class Reader {
  offset = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  need(bytes: number): void {
    if (this.remaining < bytes) {
      throw new Amf0Error(`truncated AMF0 value: need ${bytes} bytes at offset ${this.offset}`);
    }
  }

  peek(): number | undefined {
    return this.data[this.offset];
  }

  u8(): number {
    this.need(1);
    return this.data[this.offset++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset);
    this.offset += 8;
    return v;
  }

  text(length: number): string {
    this.need(length);
    const s = utf8.decode(this.data.subarray(this.offset, this.offset + length));
    this.offset += length;
    return s;
  }
}

function readProperties(r: Reader, depth: number): Record<string, Amf0Value> {
  const out: Record<string, Amf0Value> = Object.create(null);
  for (let n = 0; ; n++) {
    if (n > MAX_ENTRIES) throw new Amf0Error('AMF0 object has too many properties');
    const key = r.text(r.u16());
    if (key === '' && r.peek() === MARKER.objectEnd) {
      r.offset++;
      return out;
    }
    out[key] = readValue(r, depth + 1);
  }
}

function readValue(r: Reader, depth: number): Amf0Value {
  if (depth > MAX_DEPTH) throw new Amf0Error('AMF0 value nested too deeply');
  const marker = r.u8();
  switch (marker) {
    case MARKER.number:
      return r.f64();
    case MARKER.boolean:
      return r.u8() !== 0;
    case MARKER.string:
      return r.text(r.u16());
    case MARKER.longString:
      return r.text(r.u32());
    case MARKER.xmlDocument:
      return r.text(r.u32());
    case MARKER.object:
      return readProperties(r, depth);
    case MARKER.typedObject:
      r.text(r.u16()); // class name: not needed by anything RTMP or FLV carry
      return readProperties(r, depth);
    case MARKER.ecmaArray:
      r.u32(); // approximate count; the entries end with an object-end marker like an object
      return readProperties(r, depth);
    case MARKER.strictArray: {
      const count = r.u32();
      if (count > MAX_ENTRIES || count > r.remaining) throw new Amf0Error(`AMF0 array of ${count} entries`);
      const list: Amf0Value[] = [];
      for (let i = 0; i < count; i++) list.push(readValue(r, depth + 1));
      return list;
    }
    case MARKER.date: {
      const ms = r.f64();
      r.u16(); // time zone: reserved, always 0
      return new Date(ms);
    }
    case MARKER.null:
      return null;
    case MARKER.undefined:
    case MARKER.unsupported:
      return undefined;
    case MARKER.reference:
      r.u16();
      return undefined; // references point into AMF0 object tables no RTMP peer we meet uses
    default:
      throw new Amf0Error(`unknown AMF0 marker 0x${marker.toString(16)} at offset ${r.offset - 1}`);
  }
}

/** Every value in `data`, in order (an RTMP command message is a sequence of values). */
export function decodeAmf0(data: Uint8Array): Amf0Value[] {
  const r = new Reader(data);
  const values: Amf0Value[] = [];
  while (r.remaining > 0) values.push(readValue(r, 0));
  return values;
}

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  u8(v: number): void {
    this.bytes(Uint8Array.of(v));
  }

  u16(v: number): void {
    this.bytes(Uint8Array.of(v >> 8, v & 0xff));
  }

  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v);
    this.bytes(b);
  }

  f64(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v);
    this.bytes(b);
  }

  shortText(s: string): void {
    const b = encoder.encode(s);
    if (b.length > 0xffff) throw new Amf0Error('AMF0 property name longer than 65535 bytes');
    this.u16(b.length);
    this.bytes(b);
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function writeString(w: Writer, value: string): void {
  const b = encoder.encode(value);
  if (b.length > 0xffff) {
    w.u8(MARKER.longString);
    w.u32(b.length);
  } else {
    w.u8(MARKER.string);
    w.u16(b.length);
  }
  w.bytes(b);
}

function writeValue(w: Writer, value: Amf0Value): void {
  if (value === null) {
    w.u8(MARKER.null);
  } else if (value === undefined) {
    w.u8(MARKER.undefined);
  } else if (typeof value === 'number') {
    w.u8(MARKER.number);
    w.f64(value);
  } else if (typeof value === 'boolean') {
    w.u8(MARKER.boolean);
    w.u8(value ? 1 : 0);
  } else if (typeof value === 'string') {
    writeString(w, value);
  } else if (value instanceof Date) {
    w.u8(MARKER.date);
    w.f64(value.getTime());
    w.u16(0);
  } else if (Array.isArray(value)) {
    w.u8(MARKER.strictArray);
    w.u32(value.length);
    for (const v of value) writeValue(w, v);
  } else {
    w.u8(MARKER.object);
    for (const [key, v] of Object.entries(value)) {
      w.shortText(key);
      writeValue(w, v);
    }
    w.u16(0);
    w.u8(MARKER.objectEnd);
  }
}

/** The values one after another, as an RTMP command message body. */
export function encodeAmf0(values: readonly Amf0Value[]): Uint8Array {
  const w = new Writer();
  for (const v of values) writeValue(w, v);
  return w.result();
}
