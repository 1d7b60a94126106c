/**
 * Values into the generated script's text, as data: sh words in single quotes, Python
 * literals. Nothing here may let a value become code.
 */

/** One sh word: single quotes, each `'` closed, escaped and reopened. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const LINE_WIDTH = 88;

/**
 * A Python literal for JSON-shaped data. Strings use JSON's syntax, which is also a valid
 * Python string literal with the same value (the same escapes: \" \\ \n \uXXXX ...).
 * Short values stay on one line; longer lists and dicts get one item per line.
 */
export function pyLiteral(value: unknown, indent = '', lead = 0): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = `[${value.map((v) => pyLiteral(v)).join(', ')}]`;
    if (!flat.includes('\n') && indent.length + lead + flat.length <= LINE_WIDTH) return flat;
    return `[\n${value.map((v) => `${inner}${pyLiteral(v, inner)},\n`).join('')}${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    );
    if (entries.length === 0) return '{}';
    const item = (k: string, v: unknown, at: string) => {
      const key = `${JSON.stringify(k)}: `;
      return `${key}${pyLiteral(v, at, key.length)}`;
    };
    const flat = `{${entries.map(([k, v]) => item(k, v, '')).join(', ')}}`;
    if (!flat.includes('\n') && indent.length + lead + flat.length <= LINE_WIDTH) return flat;
    return `{\n${entries.map(([k, v]) => `${inner}${item(k, v, inner)},\n`).join('')}${indent}}`;
  }
  throw new Error(`no Python literal for ${typeof value}`);
}

/** A raw triple-quoted Python string holding `text` exactly (Python source snippets). */
export function pyRawString(text: string): string {
  if (text.includes("'''") || text.endsWith('\\') || text.endsWith("'")) {
    throw new Error('text cannot be written as a raw triple-quoted string');
  }
  return `r'''${text}'''`;
}
