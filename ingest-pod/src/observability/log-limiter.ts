// Refusals can come in floods: an encoder that retries a refused handshake every few milliseconds
// (srt-live-transmit does) must not turn into a hundred log lines a second.

export interface LogLimiter {
  /** How many lines with `key` were held back since the last one logged; undefined: hold this one back. */
  admit(key: string): number | undefined;
}

/** At most one line per key and `intervalMs`; the next line says how many were held back. */
export function createLogLimiter(
  intervalMs = 10_000,
  now: () => number = Date.now,
  maxKeys = 10_000,
): LogLimiter {
  const seen = new Map<string, { at: number; held: number }>();
  return {
    admit(key) {
      const time = now();
      const entry = seen.get(key);
      if (entry !== undefined && time - entry.at < intervalMs) {
        entry.held++;
        return undefined;
      }
      const held = entry?.held ?? 0;
      seen.delete(key);
      if (seen.size >= maxKeys) seen.delete(seen.keys().next().value as string);
      seen.set(key, { at: time, held: 0 });
      return held;
    },
  };
}
