/**
 * Just enough of a TOML lexer to find where things are: table headers, top-level keys of
 * a table and the elements of an array value, each with exact offsets. Edits splice
 * text at those offsets, so a user's comments, quoting and layout survive untouched;
 * smol-toml (which has no positions) confirms the result afterwards.
 */

export interface TomlToken {
  type: 'string' | 'comment' | 'newline' | 'punct' | 'bare' | 'space';
  start: number;
  end: number;
  /** Decoded value for strings; the text otherwise. */
  value: string;
}

export function lexToml(text: string): TomlToken[] {
  const tokens: TomlToken[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    const start = i;
    if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      i += ch === '\r' ? 2 : 1;
      tokens.push({ type: 'newline', start, end: i, value: '\n' });
    } else if (ch === ' ' || ch === '\t') {
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      tokens.push({ type: 'space', start, end: i, value: text.slice(start, i) });
    } else if (ch === '#') {
      while (i < n && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) i++;
      tokens.push({ type: 'comment', start, end: i, value: text.slice(start, i) });
    } else if (ch === '"' || ch === "'") {
      const triple = text.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      let j = i + quote.length;
      let value = '';
      for (;;) {
        if (j >= n || (!triple && (text[j] === '\n' || text[j] === '\r'))) {
          // Unterminated: take the rest of the line so lexing can go on.
          tokens.push({ type: 'string', start, end: j, value });
          break;
        }
        if (ch === '"' && text[j] === '\\') {
          value += decodeEscape(text, j);
          j += escapeLength(text, j);
          continue;
        }
        if (text.startsWith(quote, j)) {
          j += quote.length;
          // A triple-quoted string may end with up to two extra quotes.
          while (triple && text[j] === ch && j - (start + 3) < n) {
            value += ch;
            j++;
          }
          tokens.push({ type: 'string', start, end: j, value });
          break;
        }
        value += text[j];
        j++;
      }
      i = tokens[tokens.length - 1]!.end;
    } else if ('[]{}=,.'.includes(ch)) {
      i++;
      tokens.push({ type: 'punct', start, end: i, value: ch });
    } else {
      while (i < n && !/[\s[\]{}=,.#"']/.test(text[i]!)) i++;
      if (i === start) i++;
      tokens.push({ type: 'bare', start, end: i, value: text.slice(start, i) });
    }
  }
  return tokens;
}

function escapeLength(text: string, i: number): number {
  const next = text[i + 1];
  if (next === 'u') return 6;
  if (next === 'U') return 10;
  return 2;
}

function decodeEscape(text: string, i: number): string {
  const next = text[i + 1];
  const simple: Record<string, string> = {
    b: '\b',
    t: '\t',
    n: '\n',
    f: '\f',
    r: '\r',
    '"': '"',
    '\\': '\\',
  };
  if (next !== undefined && next in simple) return simple[next]!;
  if (next === 'u' || next === 'U') {
    const hex = text.slice(i + 2, i + escapeLength(text, i));
    const code = Number.parseInt(hex, 16);
    return Number.isNaN(code) ? '' : String.fromCodePoint(code);
  }
  return next ?? '';
}

export interface ArrayElement {
  start: number;
  end: number;
  /** Decoded string value, or undefined for a non-string element (inline table…). */
  value: string | undefined;
}

export interface KeyValue {
  /** Dotted key, decoded: ['dependency-groups', 'mcp'] for `mcp = …` in that table. */
  key: string[];
  /** Where the line's key starts (for removing a whole entry). */
  keyStart: number;
  valueStart: number;
  valueEnd: number;
  /** For array values: the elements, and the offset of the closing bracket. */
  elements?: ArrayElement[];
  closeBracket?: number;
  /** True when the array spans several lines. */
  multiline?: boolean;
}

export interface TableHeader {
  key: string[];
  start: number;
  /** End of the header line (after its newline). */
  end: number;
  array: boolean;
}

export interface TomlLayout {
  tables: TableHeader[];
  /** Key/value pairs with full dotted keys (table prefix included). */
  entries: KeyValue[];
}

/** Structure with offsets; tolerant of errors (the caller validates with a real parser). */
export function layoutToml(text: string): TomlLayout {
  const tokens = lexToml(text).filter((t) => t.type !== 'space');
  const tables: TableHeader[] = [];
  const entries: KeyValue[] = [];
  let prefix: string[] = [];
  let i = 0;
  const at = (k: number) => tokens[k];
  function readKey(): string[] | undefined {
    const key: string[] = [];
    for (;;) {
      const token = at(i);
      if (!token || (token.type !== 'bare' && token.type !== 'string')) return undefined;
      key.push(token.value);
      i++;
      if (at(i)?.value === '.' && at(i)?.type === 'punct') {
        i++;
        continue;
      }
      return key;
    }
  }
  function skipValue(): { end: number; elements?: ArrayElement[]; close?: number } {
    const token = at(i);
    if (!token) return { end: text.length };
    if (token.type === 'punct' && (token.value === '[' || token.value === '{')) {
      const open = token.value;
      const close = open === '[' ? ']' : '}';
      i++;
      const elements: ArrayElement[] = [];
      while (i < tokens.length) {
        const t = at(i)!;
        if (
          t.type === 'newline' ||
          t.type === 'comment' ||
          (t.type === 'punct' && t.value === ',')
        ) {
          i++;
          continue;
        }
        if (t.type === 'punct' && t.value === close) {
          i++;
          return { end: t.end, elements: open === '[' ? elements : undefined, close: t.start };
        }
        const start = t.start;
        const isString = t.type === 'string';
        const inner = skipValue();
        // An inline table/array element, or a scalar (possibly several bare tokens: 1.5, dates).
        while (
          !isString &&
          i < tokens.length &&
          at(i)!.type !== 'newline' &&
          !(at(i)!.type === 'punct' && [',', ']', '}'].includes(at(i)!.value))
        ) {
          i++;
        }
        const end = isString ? t.end : Math.max(inner.end, at(i - 1)?.end ?? inner.end);
        elements.push({ start, end, value: isString ? t.value : undefined });
      }
      return { end: text.length, elements };
    }
    i++;
    return { end: token.end };
  }
  while (i < tokens.length) {
    const token = at(i)!;
    if (token.type === 'newline' || token.type === 'comment') {
      i++;
      continue;
    }
    if (token.type === 'punct' && token.value === '[') {
      const start = token.start;
      const array = at(i + 1)?.type === 'punct' && at(i + 1)?.value === '[';
      i += array ? 2 : 1;
      const key = readKey() ?? [];
      while (i < tokens.length && at(i)!.type !== 'newline') i++;
      const end = at(i)?.end ?? text.length;
      tables.push({ key, start, end, array });
      prefix = key;
      continue;
    }
    const keyStart = token.start;
    const key = readKey();
    if (!key || at(i)?.value !== '=') {
      // Not a key/value line: skip to the next line.
      while (i < tokens.length && at(i)!.type !== 'newline') i++;
      continue;
    }
    i++;
    const valueStart = at(i)?.start ?? text.length;
    const value = skipValue();
    const entry: KeyValue = { key: [...prefix, ...key], keyStart, valueStart, valueEnd: value.end };
    if (value.elements) {
      entry.elements = value.elements;
      entry.closeBracket = value.close;
      entry.multiline = text.slice(valueStart, value.end).includes('\n');
    }
    entries.push(entry);
    while (i < tokens.length && at(i)!.type !== 'newline') i++;
  }
  return { tables, entries };
}
