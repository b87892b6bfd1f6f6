import { classifyFailure } from '../reader/error-classification.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { AuthVerdict } from './rtsp-auth.js';
import type { SdpTrack } from './sdp.js';

/** Why a status ends the session, and whether reconnecting later can help. */
const STATUS_RULES: Record<number, { retriable: boolean; hint: string }> = {
  403: { retriable: false, hint: 'the server refuses this client or path' },
  404: { retriable: false, hint: 'no stream at this path; check the camera path in the url' },
  454: { retriable: true, hint: 'the server lost the session; a new one is set up on reconnect' },
  455: {
    retriable: true,
    hint: 'the server was in another state for this request; reconnecting starts over',
  },
  459: { retriable: false, hint: 'the server wants per-track control of this stream' },
  461: {
    retriable: false,
    hint: 'the server does not offer this transport; try transport=tcp or transport=udp',
  },
};

/** A server's non-2xx answer (the status is also what classifyFailure reads). */
export class RtspStatusError extends ReaderError {
  constructor(
    message: string,
    retriable: boolean,
    readonly status: number,
  ) {
    super(message, retriable);
  }
}

/** A non-2xx answer as a ReaderError: 5xx retriable, the 4xx the table does not list permanent. */
export function statusError(
  method: string,
  shownUrl: string,
  status: number,
  reason: string,
): RtspStatusError {
  const rule = STATUS_RULES[status];
  const retriable = rule?.retriable ?? status >= 500;
  const hint =
    rule?.hint ?? (status >= 500 ? 'the server failed; retrying' : 'the server refused the request');
  return new RtspStatusError(
    `rtsp: ${method} ${shownUrl} answered ${status} ${reason}: ${hint}`,
    retriable,
    status,
  );
}

export function authError(
  shownUrl: string,
  verdict: Extract<AuthVerdict, { retry: false }>,
): RtspStatusError {
  const text = {
    'no credentials':
      'the server needs credentials; put them in the url (rtsp://user:password@host/...) or in paramsFrom as user and password',
    'wrong credentials': 'wrong credentials: the server refused the user name and password',
    'no usable challenge':
      'the server offers no authentication this client supports (Basic, Digest MD5 or SHA-256)',
  }[verdict.reason];
  return new RtspStatusError(`rtsp: ${shownUrl} answered 401 Unauthorized: ${text}`, false, 401);
}

export function noSupportedTrackError(shownUrl: string, offered: readonly SdpTrack[]): ReaderError {
  const list =
    offered.length === 0
      ? 'no media'
      : offered.map((t) => `${t.media} ${t.codec || `payload ${t.payloadType}`}`).join(', ');
  return new ReaderError(
    `rtsp: ${shownUrl} has no supported track: H.264, H.265, AAC or MP2T needed; the SDP offered ${list}`,
    false,
  );
}

/** Sockets failing (refused, reset, timed out, closed) are worth retrying; TLS and unknown hosts are not. */
export function connectionError(shownUrl: string, what: string, cause?: unknown): ReaderError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  const retriable = cause === undefined || !classifyFailure(cause).permanent;
  return new ReaderError(
    `rtsp: ${shownUrl}: ${what}${detail}`,
    retriable,
    cause !== undefined ? { cause } : undefined,
  );
}
