import type { Scalar } from 'yaml';

/**
 * A YAML scalar's value with, for every character, the span of the file it came from.
 * The value is what the `yaml` parser decoded (indentation removed, lines folded, escapes
 * and CRLF resolved); each of its characters is aligned with the source characters that
 * produced it, so a finding inside the value maps back to an exact span of the file.
 */
export class MappedScalar {
  text = '';
  private readonly rawStart: number[] = [];
  private readonly rawEnd: number[] = [];

  push(chars: string, start: number, end: number): void {
    this.text += chars;
    for (let k = 0; k < chars.length; k++) {
      this.rawStart.push(start);
      this.rawEnd.push(end);
    }
  }

  rawSpan(start: number, end: number): { start: number; end: number } | undefined {
    if (!(start >= 0 && end > start && end <= this.text.length)) return undefined;
    return { start: this.rawStart[start]!, end: this.rawEnd[end - 1]! };
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

/** The decoded text of a double-quoted escape at `at` (the backslash) and its length. */
function decodeEscape(source: string, at: number): { value: string; length: number } | undefined {
  const c = source[at + 1];
  if (c === undefined) return undefined;
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { value: simple, length: 2 };
  const digits = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (digits === 0) return undefined;
  const hex = source.slice(at + 2, at + 2 + digits);
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return undefined;
  const code = Number.parseInt(hex, 16);
  if (code > 0x10ffff) return undefined;
  return { value: String.fromCodePoint(code), length: 2 + digits };
}

/**
 * Aligns `scalar.value` with its source text. Undefined when the scalar is not a string
 * or when some character of the value cannot be found in the source (never expected;
 * the caller then reports without exact spans).
 */
export function mapScalar(source: string, scalar: Scalar): MappedScalar | undefined {
  const value = scalar.value;
  const range = scalar.range;
  if (typeof value !== 'string' || !range) return undefined;
  let p = range[0];
  let end = range[1];
  switch (scalar.type) {
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': {
      const newline = source.indexOf('\n', p);
      p = newline === -1 || newline >= end ? end : newline + 1;
      break;
    }
    case 'QUOTE_DOUBLE':
    case 'QUOTE_SINGLE':
      p += 1;
      end = Math.max(p, end - 1);
      break;
    default:
      break;
  }
  const doubleQuoted = scalar.type === 'QUOTE_DOUBLE';
  const mapped = new MappedScalar();
  // By UTF-16 unit, not code point: a folded double-quoted line may split a surrogate pair.
  let i = 0;
  while (i < value.length) {
    const ch = value[i]!;
    let taken = 0;
    while (p < end) {
      const s = source[p]!;
      if (doubleQuoted && s === '\\') {
        const lineBreak = source[p + 1] === '\n' ? 2 : source.startsWith('\r\n', p + 1) ? 3 : 0;
        if (lineBreak > 0) {
          // An escaped line break joins the lines: it and the next line's indent are nothing.
          p += lineBreak;
          while (p < end && (source[p] === ' ' || source[p] === '\t')) p++;
          continue;
        }
        const decoded = decodeEscape(source, p);
        if (decoded !== undefined && value.startsWith(decoded.value, i)) {
          mapped.push(decoded.value, p, p + decoded.length);
          p += decoded.length;
          taken = decoded.value.length;
          break;
        }
        p++;
        continue;
      }
      if (s === ch) {
        mapped.push(ch, p, p + 1);
        p++;
        taken = 1;
        break;
      }
      if ((ch === '\n' || ch === ' ') && (s === '\n' || s === '\r')) {
        // A line break kept (literal) or folded into a space (folded, plain, quoted).
        const length = s === '\r' && source[p + 1] === '\n' ? 2 : 1;
        mapped.push(ch, p, p + length);
        p += length;
        taken = 1;
        break;
      }
      p++;
    }
    if (taken === 0) return undefined;
    i += taken;
  }
  return mapped;
}
