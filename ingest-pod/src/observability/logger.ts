import { redactUrl } from '@tributary/crds';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

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
}

/** Anything that looks like `scheme://…` inside a string, up to a quote, space or backslash. */
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\]+/gi;

/** Replaces the secret parts of every URL in the text (userinfo password, query values). */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_PATTERN, (url) => redactUrl(url));
}

/**
 * The process logger: JSON lines with `stream: "<namespace>/<name>"` on every line. Redaction runs
 * on the finished line, so URLs are cleaned wherever they appear (message, fields, error stacks).
 */
export function createLogger({ stream, level = 'info', destination, mixin }: LoggerOptions): Logger {
  const target = destination ?? pino.destination({ dest: 1, sync: true });
  const redacting: DestinationStream = { write: (line) => target.write(redactUrlsIn(line)) };
  const base = { stream: `${stream.namespace}/${stream.name}` };
  return pino({ level, base, ...(mixin !== undefined && { mixin }) }, redacting);
}

/** A logger whose lines also carry `input: <priority>`. */
export function inputLogger(log: Logger, priority: number): Logger {
  return log.child({ input: priority });
}
