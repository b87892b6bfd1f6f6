// The JSON Schema (draft-07) documents the values generator writes, and their file format.

export type JsonSchema = { [keyword: string]: unknown };

const LINE_WIDTH = 110;

/**
 * JSON laid out the way the repository's formatter (biome) leaves it: objects one key per line,
 * arrays of plain values on one line when they fit.
 */
export function formatJson(value: unknown, indent = '', prefixWidth = 0): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const plain = value.every((v) => v === null || typeof v !== 'object');
    // +1 for a trailing comma after the value.
    if (plain && indent.length + prefixWidth + flat.length + 1 <= LINE_WIDTH) return flat;
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([key, v]) => {
      const prefix = `${JSON.stringify(key)}: `;
      return inner + prefix + formatJson(v, inner, prefix.length);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
