import { LineIndex } from '../reference.js';

/**
 * Line numbers for values of a TOML document that smol-toml has already parsed (smol-toml
 * reports no positions). One pass over the text records every key/value pair under its
 * full key path (table header + dotted key) with the strings inside the value, decoded,
 * so a requirement string is found by value, in order, without matching look-alikes in
 * comments or other tables.
 */

interface TomlString {
  value: string;
  start: number;
  end: number;
  line: number;
}

interface TomlEntry {
  path: string[];
  line: number;
  strings: TomlString[];
}

export class TomlPositions {
  private readonly entries: TomlEntry[] = [];
  private readonly byPath = new Map<string, TomlEntry>();
  readonly lines: LineIndex;

  constructor(private readonly text: string) {
    this.lines = new LineIndex(text);
    this.scan();
    for (const entry of this.entries) {
      const key = entry.path.join('\u0000');
      if (!this.byPath.has(key)) this.byPath.set(key, entry);
    }
  }

  /** 1-based line of the key at `path`, or of the nearest enclosing key or table. */
  keyLine(path: string[]): number {
    return this.find(path)?.line ?? 1;
  }

  /** The key's value string, located exactly (offsets exclude the quotes). */
  valueString(path: string[]): TomlString | undefined {
    const entry = this.byPath.get(path.join('\u0000'));
    return entry?.strings.length === 1 ? entry.strings[0] : undefined;
  }

  /** Lines of `values` (strings of the array at `path`, in order). */
  valueLines(path: string[], values: string[]): number[] {
    const entry = this.find(path);
    if (!entry) return values.map(() => 1);
    let cursor = 0;
    return values.map((value) => {
      for (let i = cursor; i < entry.strings.length; i++) {
        if (entry.strings[i]!.value === value) {
          cursor = i + 1;
          return entry.strings[i]!.line;
        }
      }
      return entry.line;
    });
  }

  private find(path: string[]): TomlEntry | undefined {
    for (let length = path.length; length > 0; length--) {
      const entry = this.byPath.get(path.slice(0, length).join('\u0000'));
      if (entry) return entry;
    }
    return undefined;
  }

  private scan(): void {
    const text = this.text;
    let pos = 0;
    let table: string[] = [];
    while (pos < text.length) {
      pos = skipBlank(text, pos);
      if (pos >= text.length) break;
      const ch = text[pos];
      if (ch === '\n') {
        pos++;
        continue;
      }
      if (ch === '#') {
        pos = lineEnd(text, pos);
        continue;
      }
      const start = pos;
      if (ch === '[') {
        const double = text[pos + 1] === '[';
        const key = this.readKey(pos + (double ? 2 : 1));
        table = key.path;
        this.entries.push({ path: table, line: this.lines.position(start).line, strings: [] });
        pos = lineEnd(text, key.end);
        continue;
      }
      const key = this.readKey(pos);
      pos = key.end;
      if (text[pos] !== '=') {
        pos = lineEnd(text, pos);
        continue;
      }
      const entry: TomlEntry = {
        path: [...table, ...key.path],
        line: this.lines.position(start).line,
        strings: [],
      };
      this.entries.push(entry);
      pos = this.readValue(pos + 1, entry.strings);
    }
  }

  /** A dotted key up to '=' or ']' (or the end of the line for malformed text). */
  private readKey(from: number): { path: string[]; end: number } {
    const text = this.text;
    const path: string[] = [];
    let pos = skipBlank(text, from);
    while (pos < text.length) {
      const ch = text[pos]!;
      if (ch === '"' || ch === "'") {
        const string = readString(text, pos);
        path.push(string.value);
        pos = string.end;
      } else {
        const bare = /^[A-Za-z0-9_-]+/.exec(text.slice(pos, pos + 256));
        if (!bare) break;
        path.push(bare[0]);
        pos += bare[0].length;
      }
      pos = skipBlank(text, pos);
      if (text[pos] !== '.') break;
      pos = skipBlank(text, pos + 1);
    }
    return { path, end: text[pos] === ']' ? pos + 1 : pos };
  }

  /** Skips a value (arrays may span lines), collecting its strings; returns the next line. */
  private readValue(from: number, strings: TomlString[]): number {
    const text = this.text;
    let depth = 0;
    let pos = from;
    while (pos < text.length) {
      const ch = text[pos]!;
      if (ch === '"' || ch === "'") {
        const string = readString(text, pos);
        const quote = string.triple ? 3 : 1;
        strings.push({
          value: string.value,
          start: pos + quote,
          end: Math.max(pos + quote, string.end - quote),
          line: this.lines.position(pos).line,
        });
        pos = string.end;
        continue;
      }
      if (ch === '#') {
        pos = lineEnd(text, pos);
        continue;
      }
      if (ch === '[' || ch === '{') depth++;
      else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
      else if (ch === '\n' && depth === 0) return pos + 1;
      pos++;
    }
    return pos;
  }
}

function skipBlank(text: string, pos: number): number {
  while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\r')) {
    pos++;
  }
  return pos;
}

function lineEnd(text: string, pos: number): number {
  const newline = text.indexOf('\n', pos);
  return newline === -1 ? text.length : newline;
}

const ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
  '"': '"',
  '\\': '\\',
};

/** A TOML string starting at `start` (a quote), decoded as TOML does. */
function readString(text: string, start: number): { value: string; end: number; triple: boolean } {
  const quote = text[start]!;
  const triple = text.startsWith(quote.repeat(3), start);
  const literal = quote === "'";
  let pos = start + (triple ? 3 : 1);
  if (triple && text[pos] === '\r' && text[pos + 1] === '\n') pos += 2;
  else if (triple && text[pos] === '\n') pos++;
  let value = '';
  while (pos < text.length) {
    const ch = text[pos]!;
    if (triple && text.startsWith(quote.repeat(3), pos)) {
      // Up to two more quotes right before the closing three belong to the value.
      let extra = 0;
      while (extra < 2 && text[pos + 3 + extra] === quote) extra++;
      return { value: value + quote.repeat(extra), end: pos + 3 + extra, triple };
    }
    if (!triple && ch === quote) return { value, end: pos + 1, triple };
    if (!triple && ch === '\n') return { value, end: pos, triple };
    if (ch === '\\' && !literal) {
      const next = text[pos + 1] ?? '';
      if (triple && /[ \t\r\n]/.test(next)) {
        // A line-ending backslash drops the newline and the whitespace after it.
        let end = pos + 1;
        while (text[end] === ' ' || text[end] === '\t') end++;
        if (text[end] === '\r' && text[end + 1] === '\n') end++;
        if (text[end] === '\n') {
          while (end < text.length && /[ \t\r\n]/.test(text[end]!)) end++;
          pos = end;
          continue;
        }
      }
      if (next === 'u' || next === 'U' || next === 'x') {
        const size = next === 'u' ? 4 : next === 'U' ? 8 : 2;
        const hex = text.slice(pos + 2, pos + 2 + size);
        const code = Number.parseInt(hex, 16);
        if (/^[0-9A-Fa-f]+$/.test(hex) && hex.length === size && code <= 0x10ffff) {
          value += String.fromCodePoint(code);
          pos += 2 + size;
          continue;
        }
      }
      value += ESCAPES[next] ?? next;
      pos += 2;
      continue;
    }
    value += ch;
    pos++;
  }
  return { value, end: pos, triple };
}
