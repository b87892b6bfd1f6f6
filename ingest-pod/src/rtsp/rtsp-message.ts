/** Header lines in the order they came; names compared without case. */
export class RtspHeaders {
  readonly entries: Array<[string, string]> = [];

  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.entries.find(([n]) => n.toLowerCase() === lower)?.[1];
  }

  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    return this.entries.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  }
}

export interface RtspResponse {
  status: number;
  reason: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

/** Something the server sent: a response, a request of its own, or an interleaved RTP/RTCP packet. */
export type RtspItem =
  | { type: 'response'; response: RtspResponse }
  | { type: 'request'; method: string; headers: RtspHeaders }
  | { type: 'interleaved'; channel: number; payload: Uint8Array };

export interface RtspRequest {
  method: string;
  url: string;
  cseq: number;
  /** Added after CSeq, in this order (Session, Authorization, Transport, ...). */
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
}

export const USER_AGENT = 'Tributary';

export class RtspProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtspProtocolError';
  }
}

export function serializeRequest(request: RtspRequest): Buffer {
  const lines = [
    `${request.method} ${request.url} RTSP/1.0`,
    `CSeq: ${request.cseq}`,
    `User-Agent: ${USER_AGENT}`,
  ];
  for (const [name, value] of request.headers ?? []) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value))
      throw new RtspProtocolError(`header ${name} has a line break`);
    lines.push(`${name}: ${value}`);
  }
  const body = Buffer.from(request.body ?? '', 'utf8');
  if (body.length > 0) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

export interface ParserLimits {
  /** Longest status line plus headers. */
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

const DEFAULT_LIMITS: ParserLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 1024 * 1024 };
const DOLLAR = 0x24;
const HEADER_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^RTSP\/\d\.\d (\d{3})(?: (.*))?$/;
const REQUEST_LINE = /^([A-Z_]+) (\S+) RTSP\/\d\.\d$/;

/**
 * Splits the byte stream of an RTSP connection into messages and `$`-framed interleaved packets
 * (RFC 2326 §10.12). Feed it every chunk as it comes; it keeps what is incomplete. Payloads are
 * views into the stream's buffers, which are never written to.
 */
export class RtspStreamParser {
  private pending: Buffer = Buffer.alloc(0);
  private head: { first: string; headers: RtspHeaders; bodyLength: number; headerBytes: number } | undefined;

  constructor(private readonly limits: ParserLimits = DEFAULT_LIMITS) {}

  push(chunk: Uint8Array): RtspItem[] {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const items: RtspItem[] = [];
    for (;;) {
      const item = this.next();
      if (item === undefined) break;
      items.push(item);
    }
    return items;
  }

  private next(): RtspItem | undefined {
    if (this.head !== undefined) return this.body();
    const data = this.pending;
    if (data.length === 0) return undefined;
    if (data[0] === DOLLAR) {
      if (data.length < 4) return undefined;
      const length = data.readUInt16BE(2);
      if (data.length < 4 + length) return undefined;
      const payload = data.subarray(4, 4 + length);
      this.pending = data.subarray(4 + length);
      return { type: 'interleaved', channel: data[1] as number, payload };
    }
    const end = data.indexOf(HEADER_END);
    if (end < 0) {
      if (data.length > this.limits.maxHeaderBytes) {
        throw new RtspProtocolError(`a message header is longer than ${this.limits.maxHeaderBytes} bytes`);
      }
      return undefined;
    }
    const lines = data.subarray(0, end).toString('latin1').split(/\r\n/);
    const first = (lines.shift() as string).trim();
    if (!STATUS_LINE.test(first) && !REQUEST_LINE.test(first)) {
      throw new RtspProtocolError(
        `not an RTSP message or interleaved packet: ${JSON.stringify(first.slice(0, 60))}`,
      );
    }
    const headers = new RtspHeaders();
    for (const line of lines) {
      if (/^[ \t]/.test(line) && headers.entries.length > 0) {
        const last = headers.entries[headers.entries.length - 1] as [string, string];
        last[1] = `${last[1]} ${line.trim()}`;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw new RtspProtocolError(`bad header line ${JSON.stringify(line.slice(0, 60))}`);
      headers.entries.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    const lengthText = headers.get('Content-Length') ?? '0';
    const bodyLength = Number(lengthText);
    if (!/^\d+$/.test(lengthText) || bodyLength > this.limits.maxBodyBytes) {
      throw new RtspProtocolError(
        `Content-Length ${lengthText} is not a number up to ${this.limits.maxBodyBytes}`,
      );
    }
    this.head = { first, headers, bodyLength, headerBytes: end + HEADER_END.length };
    return this.body();
  }

  private body(): RtspItem | undefined {
    const head = this.head as NonNullable<typeof this.head>;
    const total = head.headerBytes + head.bodyLength;
    if (this.pending.length < total) return undefined;
    const body = this.pending.subarray(head.headerBytes, total);
    this.pending = this.pending.subarray(total);
    this.head = undefined;
    const status = STATUS_LINE.exec(head.first);
    if (status) {
      return {
        type: 'response',
        response: { status: Number(status[1]), reason: status[2] ?? '', headers: head.headers, body },
      };
    }
    return {
      type: 'request',
      method: (REQUEST_LINE.exec(head.first) as RegExpExecArray)[1] as string,
      headers: head.headers,
    };
  }
}
