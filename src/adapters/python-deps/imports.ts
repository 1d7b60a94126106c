import { LineIndex } from '../reference.js';
import { isNamespaceRoot } from './import-names.js';

/**
 * The absolute imports of a Python file, found by a tokenizer-level scan: strings
 * (all prefixes, triple quotes, f-string replacement fields), comments and line
 * continuations are understood, so `import` inside a docstring or a comment is not an
 * import. No grammar beyond that: any text, valid Python or not, is scanned in one
 * linear pass and never throws.
 *
 * An import is optional when it sits in a `try:` body whose handler catches ImportError
 * (or ModuleNotFoundError, Exception, BaseException, or everything), or in such a
 * handler (the fallback). Relative imports and `__future__` are not reported.
 */

export interface ImportRecord {
  /** Dotted module path as imported ('google.protobuf', 'yaml'). */
  importPath: string;
  line: number;
  optional: boolean;
}

interface Token {
  type: 'name' | 'op' | 'string' | 'other';
  value: string;
  offset: number;
}

interface LogicalLine {
  indent: number;
  tokens: Token[];
}

const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt']);
const IDENTIFIER_START = /[A-Za-z_\u00c0-\uffff]/;
const IDENTIFIER_PART = /[A-Za-z0-9_\u00c0-\uffff]/;
/** Deeper f-string nesting is read as plain string text (keeps recursion bounded). */
const MAX_FSTRING_NESTING = 16;
/**
 * Inside unbalanced brackets (a malformed file) a line that starts an import statement
 * cannot continue the bracket in valid Python, so it starts a new logical line.
 */
const IMPORT_LINE = /^(import[ \t]+[A-Za-z_]|from[ \t]+[.A-Za-z_][\w.]*[ \t]+import\b)/;

export function tokenize(source: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let tokens: Token[] = [];
  let indent = 0;
  let depth = 0;
  let atLineStart = true;
  let i = 0;
  const n = source.length;

  function endLine(): void {
    if (tokens.length > 0) lines.push({ indent, tokens });
    tokens = [];
  }

  while (i < n) {
    if (atLineStart) {
      atLineStart = false;
      let column = 0;
      while (i < n && (source[i] === ' ' || source[i] === '\t' || source[i] === '\f')) {
        column = source[i] === '\t' ? column - (column % 8) + 8 : column + 1;
        i++;
      }
      if (depth > 0 && IMPORT_LINE.test(source.slice(i, i + 200))) {
        depth = 0;
        endLine();
      }
      if (tokens.length === 0) indent = column;
      continue;
    }
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\f' || ch === '\r') {
      i++;
    } else if (ch === '\n') {
      if (depth === 0) endLine();
      atLineStart = true;
      i++;
    } else if (ch === '#') {
      const newline = source.indexOf('\n', i);
      i = newline === -1 ? n : newline;
    } else if (ch === '\\') {
      if (source[i + 1] === '\n') i += 2;
      else if (source[i + 1] === '\r' && source[i + 2] === '\n') i += 3;
      else i++;
    } else if (ch === '"' || ch === "'") {
      const end = scanString(source, i, '', 0);
      tokens.push({ type: 'string', value: '', offset: i });
      i = end;
    } else if (IDENTIFIER_START.test(ch)) {
      let j = i + 1;
      while (j < n && IDENTIFIER_PART.test(source[j]!)) j++;
      const word = source.slice(i, j);
      const next = source[j];
      if ((next === '"' || next === "'") && STRING_PREFIXES.has(word.toLowerCase())) {
        const end = scanString(source, j, word.toLowerCase(), 0);
        tokens.push({ type: 'string', value: '', offset: i });
        i = end;
      } else {
        tokens.push({ type: 'name', value: word, offset: i });
        i = j;
      }
    } else if (ch >= '0' && ch <= '9') {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(source[j]!)) j++;
      tokens.push({ type: 'other', value: source.slice(i, j), offset: i });
      i = j;
    } else if (ch === '.' && source.startsWith('...', i)) {
      tokens.push({ type: 'op', value: '...', offset: i });
      i += 3;
    } else if (ch === ':' && source[i + 1] === '=') {
      tokens.push({ type: 'op', value: ':=', offset: i });
      i += 2;
    } else {
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
      tokens.push({ type: 'op', value: ch, offset: i });
      i++;
    }
  }
  endLine();
  return lines;
}

/**
 * Skips a string literal whose opening quote is at `start`; returns the offset after it.
 * A one-quote string also ends at an unescaped newline (unterminated: recover there).
 */
function scanString(source: string, start: number, prefix: string, nesting: number): number {
  const quote = source[start]!;
  const triple = source.startsWith(quote.repeat(3), start);
  const formatted = (prefix.includes('f') || prefix.includes('t')) && nesting < MAX_FSTRING_NESTING;
  let i = start + (triple ? 3 : 1);
  const n = source.length;
  while (i < n) {
    const ch = source[i]!;
    if (ch === '\\') {
      i += 2;
    } else if (triple ? source.startsWith(quote.repeat(3), i) : ch === quote) {
      return i + (triple ? 3 : 1);
    } else if (ch === '\n' && !triple) {
      return i;
    } else if (formatted && ch === '{') {
      if (source[i + 1] === '{') i += 2;
      else {
        i = scanReplacementField(source, i + 1, triple, nesting);
        if (!triple && source[i] === '\n') return i;
      }
    } else {
      i++;
    }
  }
  return n;
}

/** The expression part of an f-string, up to its closing '}'. */
function scanReplacementField(
  source: string,
  start: number,
  triple: boolean,
  nesting: number,
): number {
  let depth = 0;
  let i = start;
  const n = source.length;
  while (i < n) {
    const ch = source[i]!;
    if (ch === '\n' && !triple) return i;
    if (ch === '"' || ch === "'") {
      i = scanString(source, i, '', nesting + 1);
    } else if (IDENTIFIER_START.test(ch)) {
      let j = i + 1;
      while (j < n && IDENTIFIER_PART.test(source[j]!)) j++;
      const word = source.slice(i, j).toLowerCase();
      const next = source[j];
      if ((next === '"' || next === "'") && STRING_PREFIXES.has(word)) {
        i = scanString(source, j, word, nesting + 1);
      } else {
        i = j;
      }
    } else if (ch === '{' || ch === '[' || ch === '(') {
      depth++;
      i++;
    } else if (ch === '}' && depth === 0) {
      return i + 1;
    } else if (ch === '}' || ch === ']' || ch === ')') {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (ch === '\\') {
      i += 2;
    } else {
      i++;
    }
  }
  return n;
}

interface TryFrame {
  indent: number;
  phase: 'body' | 'handler' | 'other';
  guardedHandler: boolean;
  body: ImportRecord[];
}

const IMPORT_ERRORS = new Set(['ImportError', 'ModuleNotFoundError', 'Exception', 'BaseException']);

export function scanImports(source: string): ImportRecord[] {
  const lines = tokenize(source);
  const index = new LineIndex(source);
  const records: ImportRecord[] = [];
  const frames: TryFrame[] = [];
  for (const { indent, tokens } of lines) {
    const first = tokens[0]!;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (indent > frame.indent) break;
      const clause = first.type === 'name' ? first.value : '';
      if (
        indent === frame.indent &&
        (clause === 'except' || clause === 'else' || clause === 'finally')
      ) {
        if (clause === 'except') {
          frame.guardedHandler = catchesImportError(tokens);
          if (frame.guardedHandler) for (const record of frame.body) record.optional = true;
          frame.phase = 'handler';
        } else {
          frame.phase = 'other';
        }
        break;
      }
      frames.pop();
    }
    if (first.type === 'name' && first.value === 'try') {
      frames.push({ indent, phase: 'body', guardedHandler: false, body: [] });
    }
    for (const found of importsOf(tokens)) {
      const record: ImportRecord = {
        importPath: found.importPath,
        line: index.position(found.offset).line,
        optional: frames.some((f) => f.phase === 'handler' && f.guardedHandler),
      };
      for (const frame of frames) if (frame.phase === 'body') frame.body.push(record);
      records.push(record);
    }
  }
  return records;
}

function catchesImportError(tokens: Token[]): boolean {
  const colon = tokens.findIndex((t, i) => i > 0 && t.value === ':');
  const between = tokens.slice(1, colon === -1 ? tokens.length : colon);
  if (between.length === 0) return true;
  return between.some((t) => t.type === 'name' && IMPORT_ERRORS.has(t.value));
}

/** Statements start a line, or follow ';' or a compound statement's ':' at depth 0. */
function importsOf(tokens: Token[]): { importPath: string; offset: number }[] {
  const out: { importPath: string; offset: number }[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const value = token.type === 'op' ? token.value : '';
    if (value === '(' || value === '[' || value === '{') depth++;
    else if (value === ')' || value === ']' || value === '}') depth = Math.max(0, depth - 1);
    const startsStatement =
      i === 0 || (depth === 0 && (tokens[i - 1]!.value === ';' || tokens[i - 1]!.value === ':'));
    if (!startsStatement || token.type !== 'name') continue;
    if (token.value === 'import') out.push(...readImport(tokens, i + 1));
    else if (token.value === 'from') out.push(...readFromImport(tokens, i + 1));
  }
  return out;
}

function readDotted(tokens: Token[], start: number): { path: string; end: number } | undefined {
  const first = tokens[start];
  if (first?.type !== 'name') return undefined;
  let path = first.value;
  let i = start + 1;
  while (tokens[i]?.value === '.' && tokens[i + 1]?.type === 'name') {
    path += `.${tokens[i + 1]!.value}`;
    i += 2;
  }
  return { path, end: i };
}

/** `import a.b as c, d` */
function readImport(tokens: Token[], start: number): { importPath: string; offset: number }[] {
  const out: { importPath: string; offset: number }[] = [];
  let i = start;
  for (;;) {
    const dotted = readDotted(tokens, i);
    if (!dotted) break;
    out.push({ importPath: dotted.path, offset: tokens[i]!.offset });
    i = dotted.end;
    if (tokens[i]?.value === 'as') i += 2;
    if (tokens[i]?.value !== ',') break;
    i++;
  }
  return out;
}

/** `from a.b import c` (absolute only); `from ns import member` for namespace packages. */
function readFromImport(tokens: Token[], start: number): { importPath: string; offset: number }[] {
  const token = tokens[start];
  if (token?.value === '.' || token?.value === '...') return [];
  const dotted = readDotted(tokens, start);
  if (!dotted || tokens[dotted.end]?.value !== 'import') return [];
  if (dotted.path === '__future__') return [];
  const offset = tokens[start]!.offset;
  if (!isNamespaceRoot(dotted.path)) return [{ importPath: dotted.path, offset }];
  const out: { importPath: string; offset: number }[] = [];
  let i = dotted.end + 1;
  if (tokens[i]?.value === '(') i++;
  while (tokens[i]?.type === 'name') {
    out.push({ importPath: `${dotted.path}.${tokens[i]!.value}`, offset });
    i++;
    if (tokens[i]?.value === 'as') i += 2;
    if (tokens[i]?.value !== ',') break;
    i++;
  }
  return out.length > 0 ? out : [{ importPath: dotted.path, offset }];
}
