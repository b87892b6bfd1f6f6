/** What a SETUP answer's Transport header says about where packets come from. */
export interface TransportReply {
  /** TCP: the channels for RTP and RTCP. */
  interleaved?: [number, number];
  /** UDP: the server's ports for RTP and RTCP. */
  serverPorts?: [number, number];
  /** UDP: the address packets come from, when it is not the server's. */
  source?: string;
}

export function tcpTransport(trackIndex: number): string {
  return `RTP/AVP/TCP;unicast;interleaved=${2 * trackIndex}-${2 * trackIndex + 1}`;
}

export function udpTransport(rtpPort: number): string {
  return `RTP/AVP;unicast;client_port=${rtpPort}-${rtpPort + 1}`;
}

function pair(text: string | undefined): [number, number] | undefined {
  const m = text === undefined ? null : /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  return [first, m[2] !== undefined ? Number(m[2]) : first + 1];
}

/** Parses the server's Transport header (its first transport spec). */
export function parseTransportReply(value: string): TransportReply {
  const params = new Map<string, string>();
  for (const part of (value.split(',')[0] ?? '').split(';')) {
    const eq = part.indexOf('=');
    params.set(
      (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase(),
      eq < 0 ? '' : part.slice(eq + 1).trim(),
    );
  }
  const interleaved = pair(params.get('interleaved'));
  const serverPorts = pair(params.get('server_port'));
  const source = params.get('source');
  return {
    ...(interleaved && { interleaved }),
    ...(serverPorts && { serverPorts }),
    ...(source !== undefined && source !== '' && { source }),
  };
}

export const DEFAULT_SESSION_TIMEOUT_S = 60;

/** `Session: 12345678;timeout=60` → the id to send back and the timeout in seconds. */
export function parseSessionHeader(value: string): { id: string; timeoutS: number } {
  const [id, ...params] = value.split(';');
  let timeoutS = DEFAULT_SESSION_TIMEOUT_S;
  for (const param of params) {
    const m = /^\s*timeout\s*=\s*(\d+)\s*$/i.exec(param);
    if (m && Number(m[1]) > 0) timeoutS = Number(m[1]);
  }
  return { id: (id ?? '').trim(), timeoutS };
}

/** The methods an OPTIONS answer's Public header lists, upper case. */
export function parsePublic(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((m) => m.trim().toUpperCase())
      .filter((m) => m !== ''),
  );
}
