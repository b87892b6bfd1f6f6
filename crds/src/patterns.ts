import { MAX_NAME_LENGTH } from './names.js';

// Regular expressions shared by the CEL rules (RE2) and the TypeScript checks (V8); both read
// `(?i:...)` groups, so one string serves the API server and the operator alike.

/** A Stream or VodMount name inside a URL: a DNS-1035 label of 1..MAX_NAME_LENGTH characters. */
const NAME_IN_URL = `[a-z]([-a-z0-9]{0,${MAX_NAME_LENGTH - 2}}[a-z0-9])?`;

/**
 * URL patterns of the CEL rules. validateStream uses the scheme-level ones itself; the tests check
 * the shape ones against classify(), so the API server is never stricter than the operator.
 */
export const URL_PATTERNS = {
  /** A supported scheme, mixer (rejected by its own rule), or a bare path (rejected as file-shape). */
  scheme: '^(/|(?i:udp|https?|file|srt|rtmps?|rtsps?|copy|publish|mixer)://)',
  /** Inputs that receive a pushed stream; classify() decides the same way. */
  push: '^(?i:publish:|(rtmps?|srt)://([^/?#@]*@)?(0\\.0\\.0\\.0|\\[::\\])?([:/?#]|$))',
  /** Inputs that speak HTTP, so headers apply. */
  http: '^(?i:https?)://',
  /** An http(s) URL whose path names a playlist or a TS stream. */
  httpShape: '^(?i:https?)://[^/?#]+/([^?#]*\\.(?i:m3u8?|ts)|([^?#]*/)?(?i:mpegts))([?#]|$)',
  /** file://<mount>/<something>. */
  fileShape: `^(?i:file)://${NAME_IN_URL}/[^?#]*[^/?#]`,
  copyShape: `^(?i:copy)://${NAME_IN_URL}/?$`,
  publishShape: '^(?i:publish)://$',
  /** Inputs whose bytes are MPEG-TS, so program and pids apply. */
  mpegTs: '^(?i:udp|https?|file|srt)://',
} as const;

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME_PATTERN = "^[-!#$%&'*+.^_`|~0-9A-Za-z]+$";
