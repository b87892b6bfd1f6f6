import { REDACTED } from '@tributary/crds';

/**
 * Values shorter than this are not masked by value: a 3-character secret would mask that text in
 * every word, number and field name. The name-based rules still mask them inside URLs.
 */
export const MIN_SECRET_LENGTH = 6;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How a value may appear in text: as written, percent-encoded (both hex cases, `+` for space), JSON-escaped. */
function formsOf(value: string): string[] {
  const encoded = encodeURIComponent(value);
  return [
    value,
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    encoded.replaceAll('%20', '+'),
    JSON.stringify(value).slice(1, -1),
  ];
}

/**
 * Masks every occurrence of every registered secret value (and its encoded forms) with `***`.
 * Values are registered once when an input is resolved; the matcher (one regular expression) is
 * rebuilt on the next use after that. Occurrences that overlap are masked as one stretch, so no
 * part of either value is left showing.
 */
export class SecretRedactor {
  readonly #forms = new Set<string>();
  /** A zero-width match at every position where a form starts, capturing the longest one there. */
  #starts: RegExp | undefined;
  #stale = false;

  /** Registers values; those shorter than MIN_SECRET_LENGTH are ignored. */
  register(...values: readonly string[]): void {
    for (const value of values) {
      if (value.length < MIN_SECRET_LENGTH) continue;
      for (const form of formsOf(value)) {
        if (this.#forms.has(form)) continue;
        this.#forms.add(form);
        this.#stale = true;
      }
    }
  }

  /** True once a value is registered. */
  get active(): boolean {
    return this.#forms.size > 0;
  }

  #matcher(): RegExp | undefined {
    if (this.#stale) {
      const forms = [...this.#forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.#starts = new RegExp(`(?=(${forms.join('|')}))`, 'g');
      this.#stale = false;
    }
    return this.#starts;
  }

  /** The text with every registered value masked. */
  redact(text: string): string {
    const starts = this.#matcher();
    if (starts === undefined) return text;
    let out = '';
    let copied = 0;
    let maskFrom = -1;
    let maskTo = -1;
    starts.lastIndex = 0;
    for (let match = starts.exec(text); match !== null; match = starts.exec(text)) {
      const from = match.index;
      const to = from + (match[1]?.length ?? 0);
      if (from > maskTo) {
        if (maskTo >= 0) out += text.slice(copied, maskFrom) + REDACTED;
        copied = maskTo >= 0 ? maskTo : copied;
        maskFrom = from;
      }
      maskTo = Math.max(maskTo, to);
      starts.lastIndex = from + 1;
    }
    if (maskTo < 0) return text;
    return `${out}${text.slice(copied, maskFrom)}${REDACTED}${text.slice(maskTo)}`;
  }

  /** True when the text holds a registered value. */
  finds(text: string): boolean {
    const starts = this.#matcher();
    if (starts === undefined) return false;
    starts.lastIndex = 0;
    return starts.exec(text) !== null;
  }
}
