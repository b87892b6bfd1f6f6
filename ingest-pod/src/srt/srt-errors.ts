import { ReaderError } from '../reader/packet-reader.js';

/** What libsrt said about a failed operation. */
export interface SrtFailure {
  /** libsrt error code (srt_getlasterror): 1001 no server, 1002 rejected, 2001 connection lost... */
  code: number;
  /** srt_getrejectreason after a failed connect: SRT_REJ_* (< 1000) or an access-control code. */
  reject?: number;
  /** libsrt's own text (srt_getlasterror_str), for the log. */
  detail?: string;
  /** srt_connect failed at once (no handshake was attempted): address or network unusable. */
  immediate?: boolean;
}

export interface RejectReason {
  /** SRT_REJ_* / SRT_REJX_* name (or a generic one for codes outside both tables). */
  name: string;
  /** What it means for the person running the stream. */
  sentence: string;
  /** Retrying the same connection cannot help: reported instead of reconnecting. */
  permanent: boolean;
}

/** libsrt's SRT_REJECT_REASON (srt.h, 1.5.1). */
const INTERNAL: readonly (readonly [string, string, boolean])[] = [
  ['SRT_REJ_UNKNOWN', 'the connection failed for an unknown reason', false],
  ['SRT_REJ_SYSTEM', 'a system call failed during the handshake', false],
  ['SRT_REJ_PEER', 'the peer rejected the connection', false],
  ['SRT_REJ_RESOURCE', 'the peer ran out of resources', false],
  ['SRT_REJ_ROGUE', 'the handshake carried invalid data', false],
  ['SRT_REJ_BACKLOG', "the peer is busy: its listener's backlog is full", false],
  ['SRT_REJ_IPE', 'an internal libsrt error', false],
  ['SRT_REJ_CLOSE', 'the socket was closed during the handshake', false],
  ['SRT_REJ_VERSION', 'the peer requires a newer SRT version', true],
  ['SRT_REJ_RDVCOOKIE', 'rendezvous cookie collision', false],
  ['SRT_REJ_BADSECRET', "bad passphrase: it does not match the listener's", true],
  ['SRT_REJ_UNSECURE', 'encryption mismatch: one side has a passphrase and the other has none', true],
  ['SRT_REJ_MESSAGEAPI', 'the peer uses the other message/stream API setting', true],
  ['SRT_REJ_CONGESTION', 'the peer uses another congestion controller (transtype)', true],
  ['SRT_REJ_FILTER', 'the peer uses an incompatible packet filter', true],
  ['SRT_REJ_GROUP', 'the peer uses an incompatible socket group', true],
  ['SRT_REJ_TIMEOUT', 'timed out: no answer from the listener (nothing listening, or a firewall)', false],
];

/** Access-control codes (srt/access_control.h): HTTP-like statuses plus 1000. */
const ACCESS: Readonly<Record<number, readonly [string, string, boolean]>> = {
  1000: ['SRT_REJX_FALLBACK', 'the listener rejected the connection without saying why', false],
  1001: ['SRT_REJX_KEY_NOTSUP', 'the listener does not support a key used in the stream id', true],
  1002: ['SRT_REJX_FILEPATH', 'the resource path in the stream id is wrong', true],
  1003: ['SRT_REJX_HOSTNOTFOUND', 'the host (h=) in the stream id is unknown to the listener', true],
  1400: ['SRT_REJX_BAD_REQUEST', 'the stream id is malformed', true],
  1401: ['SRT_REJX_UNAUTHORIZED', 'authentication failed', true],
  1402: ['SRT_REJX_OVERLOAD', 'the listener is overloaded or a quota is exceeded', false],
  1403: ['SRT_REJX_FORBIDDEN', 'forbidden: the listener denies access to this stream id', true],
  1404: ['SRT_REJX_NOTFOUND', 'not found: the listener has no stream with this stream id', true],
  1405: ['SRT_REJX_BAD_MODE', 'the mode (m=) in the stream id is not supported', true],
  1406: ['SRT_REJX_UNACCEPTABLE', 'the stream id asks for parameters the listener cannot satisfy', true],
  1409: ['SRT_REJX_CONFLICT', 'conflict: the stream is in use by another session', false],
  1415: ['SRT_REJX_NOTSUP_MEDIA', 'the media type (t=) is not supported', true],
  1423: ['SRT_REJX_LOCKED', 'the stream is locked', false],
  1424: ['SRT_REJX_FAILED_DEPEND', 'a session this one depends on is gone', false],
  1500: ['SRT_REJX_ISE', 'internal error on the listener', false],
  1501: ['SRT_REJX_UNIMPLEMENTED', 'the listener does not implement this request', true],
  1502: ['SRT_REJX_GW', 'the listener is a gateway and its upstream rejected the connection', false],
  1503: ['SRT_REJX_DOWN', 'the service is down for now', false],
  1505: ['SRT_REJX_VERSION', 'the listener does not support this SRT version', true],
  1507: ['SRT_REJX_NOROOM', 'the listener has no storage left', false],
};

/** Pure: the name, meaning and permanence of a reject code from srt_getrejectreason. */
export function describeReject(code: number): RejectReason {
  const known = code < 1000 ? INTERNAL[code] : ACCESS[code];
  if (known !== undefined) return { name: known[0], sentence: known[1], permanent: known[2] };
  if (code >= 2000) {
    return {
      name: 'SRT_REJC_USERDEFINED',
      sentence: `the listener's application rejected it (code ${code})`,
      permanent: false,
    };
  }
  if (code >= 1000) {
    return {
      name: 'SRT_REJC_PREDEFINED',
      sentence: `the listener rejected it (code ${code})`,
      permanent: false,
    };
  }
  return { name: 'SRT_REJ_UNKNOWN', sentence: `unknown reject reason ${code}`, permanent: false };
}

/** libsrt error codes (SRT_ERRNO) a reader can meet, by name. */
const ERROR_NAMES: Readonly<Record<number, string>> = {
  1000: 'SRT_ECONNSETUP',
  1001: 'SRT_ENOSERVER',
  1002: 'SRT_ECONNREJ',
  1003: 'SRT_ESOCKFAIL',
  1004: 'SRT_ESECFAIL',
  1005: 'SRT_ESCLOSED',
  2000: 'SRT_ECONNFAIL',
  2001: 'SRT_ECONNLOST',
  2002: 'SRT_ENOCONN',
  3001: 'SRT_ETHREAD',
  3002: 'SRT_ENOBUF',
  5001: 'SRT_EBOUNDSOCK',
  5003: 'SRT_EINVPARAM',
  5004: 'SRT_EINVSOCK',
  5011: 'SRT_EDUPLISTEN',
  5015: 'SRT_EBINDCONFLICT',
  6002: 'SRT_EASYNCRCV',
  6003: 'SRT_ETIMEOUT',
};

export const SRT_ECONNREJ = 1002;
export const SRT_ECONNLOST = 2001;
/** Not a libsrt code: libsrt (or koffi) could not be loaded. */
export const SRT_UNAVAILABLE = -1;
/** Not a libsrt code: the SRT engine was shut down; it starts again on next use. */
export const SRT_THREAD_LOST = -2;
export const SRT_EASYNCRCV = 6002;

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `SRT error ${code}`;
}

/** Pure: the ReaderError for a connect that did not complete. */
export function connectError(where: string, failure: SrtFailure): ReaderError {
  const detail = failure.detail ? ` [${failure.detail}]` : '';
  if (failure.code === SRT_UNAVAILABLE) {
    return new ReaderError(`srt: cannot connect to ${where}: ${failure.detail ?? 'SRT unavailable'}`, false);
  }
  if (failure.code === SRT_THREAD_LOST) {
    return new ReaderError(
      `srt: connecting to ${where} failed: ${failure.detail ?? 'SRT engine stopped'}`,
      true,
    );
  }
  if (failure.immediate) {
    return new ReaderError(`srt: ${where} is unreachable: ${errorName(failure.code)}${detail}`, true);
  }
  const reason = describeReject(failure.reject ?? 0);
  return new ReaderError(
    `srt: connecting to ${where} failed: ${reason.sentence} (${reason.name}, reject code ${failure.reject ?? 0})`,
    !reason.permanent,
  );
}

/** Pure: the ReaderError for an established connection that ended (peer closed, link broken). */
export function sessionEndError(where: string, failure: SrtFailure): ReaderError {
  const what =
    failure.code === SRT_ECONNLOST
      ? 'the connection was closed by the peer or broke'
      : `the connection failed: ${errorName(failure.code)}`;
  const detail = failure.detail ? ` [${failure.detail}]` : '';
  return new ReaderError(`srt: ${where}: ${what}${detail}`, true);
}
