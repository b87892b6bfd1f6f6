import { redactUrl } from '@tributary/crds';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import type { SecretRedactor } from './secret-redactor.js';

export type { Logger } from 'pino';

export interface StreamIdentity {
  namespace: string;
  name: string;
}

export interface LoggerOptions {
  stream: StreamIdentity;
  level?: LevelWithSilent;
  /** Where JSON lines go; stdout (synchronous, so nothing is lost at exit) when absent. */
  destination?: DestinationStream;
  /** Fields added to every line (a line's own fields win), e.g. the active input. */
  mixin?: () => Record<string, unknown>;
  /** Secret values to mask on every line, besides the URL name rules. */
  secrets?: SecretRedactor;
}

/**
 * Anything that looks like `scheme://…` inside a string, up to whitespace: a password may hold a
 * quote, so stopping at one would leave the rest of it showing.
 */
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;

/** Replaces the secret parts of every URL in the text (userinfo password, query values). */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_PATTERN, (url) => redactUrl(url));
}

/** Text made safe to leave the pod: registered secret values first, then the URL name rules. */
export function redactText(text: string, secrets?: SecretRedactor): string {
  return redactUrlsIn(secrets === undefined ? text : secrets.redact(text));
}

/** JSON of `value` with every string in it passed through redactText. */
export function redactedJson(value: unknown, secrets?: SecretRedactor): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    typeof field === 'string' ? redactText(field, secrets) : field,
  );
}

/**
 * A finished JSON log line with secrets masked inside each of its strings (so a URL ends where its
 * string does). Lines with no URL and no registered secret are passed through untouched.
 */
export function redactJsonLine(line: string, secrets?: SecretRedactor): string {
  if (!line.includes('://') && !(secrets?.finds(line) ?? false)) return line;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return redactText(line, secrets);
  }
  return redactedJson(value, secrets) + (line.endsWith('\n') ? '\n' : '');
}

/**
 * The process logger: JSON lines with `stream: "<namespace>/<name>"` on every line. Redaction runs
 * on the finished line, so secrets are masked wherever they appear (message, fields, error stacks).
 */
export function createLogger({ stream, level = 'info', destination, mixin, secrets }: LoggerOptions): Logger {
  const target = destination ?? pino.destination({ dest: 1, sync: true });
  const redacting: DestinationStream = { write: (line) => target.write(redactJsonLine(line, secrets)) };
  const base = { stream: `${stream.namespace}/${stream.name}` };
  return pino({ level, base, ...(mixin !== undefined && { mixin }) }, redacting);
}

/** A logger whose lines also carry `input: <priority>`. */
export function inputLogger(log: Logger, priority: number): Logger {
  return log.child({ input: priority });
}
