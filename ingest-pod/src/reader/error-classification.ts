import { ReaderError } from './packet-reader.js';

/** What kind of failure ended an operation, and whether retrying in place can help. */
export interface FailureClass {
  kind: 'tls' | 'dns' | 'http' | 'timeout' | 'network' | 'other';
  permanent: boolean;
  status?: number;
}

/** Statuses a source will keep answering, so the input loop reports them instead of reconnecting. */
export function isPermanentHttpStatus(status: number): boolean {
  return (
    status === 401 || status === 403 || status === 404 || status === 410 || status === 429 || status >= 500
  );
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
]);
const PERMANENT_DNS_CODES = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL']);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function errorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

type Found = Omit<FailureClass, 'permanent'> & { permanent?: boolean };

/** From machine-readable fields (code, status). */
function classifyStructure(err: unknown): Found | undefined {
  const code = errorCode(err);
  if (code !== undefined) {
    if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
      return { kind: 'tls', permanent: true };
    }
    if (PERMANENT_DNS_CODES.has(code)) return { kind: 'dns', permanent: true };
    if (code === 'EAI_AGAIN') return { kind: 'dns', permanent: false };
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT')
      return { kind: 'timeout', permanent: false };
  }
  const status = errorStatus(err);
  if (status !== undefined) return { kind: 'http', status, permanent: isPermanentHttpStatus(status) };
  if (err instanceof Error && err.name === 'TimeoutError') return { kind: 'timeout', permanent: false };
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return { kind: 'network', permanent: false };
  return undefined;
}

/** From the message, for errors that crossed a boundary as text (the same rules as for typed errors). */
function classifyText(message: string): Found {
  if (/x509:|\btls:/i.test(message)) return { kind: 'tls', permanent: true };
  if (/no such host/i.test(message)) return { kind: 'dns', permanent: true };
  const http = /\bhttp (\d{3})\b/i.exec(message);
  if (http?.[1] !== undefined) {
    const status = Number(http[1]);
    return { kind: 'http', status, permanent: isPermanentHttpStatus(status) };
  }
  return { kind: 'other' };
}

/**
 * Pure: decides whether a failure is worth retrying in place. A ReaderError's own `retriable`
 * wins (the reader knew best); otherwise TLS, DNS "no such host" and permanent HTTP statuses are
 * permanent and everything else (refused, reset, timeouts) is retriable. The kind comes from the
 * error or the first of its causes with a code or status, else from the message.
 */
export function classifyFailure(err: unknown): FailureClass {
  let found: Found | undefined;
  let current: unknown = err;
  for (let depth = 0; found === undefined && current !== undefined && depth < 6; depth++) {
    found = classifyStructure(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  found ??= classifyText(err instanceof Error ? err.message : String(err));
  const permanent = err instanceof ReaderError ? !err.retriable : (found.permanent ?? false);
  return { ...found, permanent };
}
