// A value's description and schema keywords, read from the comment above it in values.yaml:
//   # -- Operator replicas. One is the leader; …   (the description, helm-docs style, may wrap)
//   # @schema minimum:1 maximum:5                   (JSON Schema keywords the default cannot show)
import { parse } from 'yaml';

export interface Annotation {
  /** The `# --` text, lines joined; undefined when the comment has none. */
  description?: string;
  /** `@schema` keywords in their order; `items.X`/`values.X` address the item or map-value schema. */
  keywords: [string, unknown][];
}

const SCHEMA_MARK = '@schema';
/** Keywords whose value is taken verbatim, so that a regular expression needs no YAML quoting. */
const VERBATIM = new Set(['pattern']);

/** Reads the annotation from a comment's text (the `yaml` package's form: `#` removed, lines joined by \n). */
export function readAnnotation(comment: string, where: string): Annotation {
  const lines = comment.split('\n').map((line) => line.replace(/^ /, '').trimEnd());
  // Text above the last `-- ` line (a file or section header) is not part of this value's description.
  const start = lines.findLastIndex((line) => line.startsWith('-- '));
  const schemaLine = lines.findIndex((line) => line.startsWith(SCHEMA_MARK));
  if (start < 0) {
    if (schemaLine >= 0) throw new Error(`${where}: "# ${SCHEMA_MARK}" must follow a "# --" description`);
    return { keywords: [] };
  }
  const description: string[] = [];
  const keywords: [string, unknown][] = [];
  for (const line of lines.slice(start)) {
    if (line.startsWith(`${SCHEMA_MARK} `))
      keywords.push(...parseKeywords(line.slice(SCHEMA_MARK.length), where));
    else if (keywords.length > 0 && line !== '')
      throw new Error(`${where}: description text after "# ${SCHEMA_MARK}"; put the @schema line last`);
    else if (line !== '') description.push(description.length === 0 ? line.slice(3) : line);
  }
  return { description: description.join(' '), keywords };
}

/** `key:value key:value …`; a value is YAML (`enum:[a,b]`, `minimum:1`) unless the key is verbatim. */
export function parseKeywords(text: string, where: string): [string, unknown][] {
  return splitTokens(text).map((token) => {
    const colon = token.indexOf(':');
    const key = token.slice(0, colon);
    const raw = token.slice(colon + 1);
    if (colon <= 0 || raw === '' || !/^[A-Za-z$][\w$]*(\.[A-Za-z$][\w$]*)?$/.test(key))
      throw new Error(`${where}: "${token}" in "# ${SCHEMA_MARK}" is not key:value (e.g. minimum:1)`);
    const keyword = key.slice(key.lastIndexOf('.') + 1);
    return [key, VERBATIM.has(keyword) ? raw : parse(raw)];
  });
}

/** Splits on spaces outside brackets and quotes, so a flow value like `enum:[a, b]` stays whole. */
function splitTokens(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\') {
      current += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (/\s/.test(c) && depth === 0) {
      if (current) tokens.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (current) tokens.push(current);
  return tokens;
}
