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

interface ImportRecord {
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

const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt']);
/** Deeper f-string nesting is read as plain string text (keeps recursion bounded). */
const MAX_FSTRING_NESTING = 16;
/**
 * Inside unbalanced brackets (a malformed file) a line that starts an import statement
 * cannot continue the bracket in valid Python, so it starts a new logical line.
 */
const IMPORT_LINE = /^(import[ \t]+[A-Za-z_]|from[ \t]+[.A-Za-z_][\w.]*[ \t]+import\b)/;
const IMPORT_ERRORS = new Set(['ImportError', 'ModuleNotFoundError', 'Exception', 'BaseException']);

function isIdentifierStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code >= 0xc0;
}

function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || (code >= 48 && code <= 57);
}

interface TryFrame {
  indent: number;
  phase: 'body' | 'handler' | 'other';
  guardedHandler: boolean;
  body: ImportRecord[];
}

/**
 * One pass over the text. Tokens are only materialised for import statements (and the
 * words that open a line), so a file costs little more than reading it.
 */
export function scanImports(source: string): ImportRecord[] {
  if (!source.includes('import')) return [];
  const records: ImportRecord[] = [];
  const offsets: number[] = [];
  const frames: TryFrame[] = [];
  const n = source.length;
  let i = 0;
  let depth = 0;
  let atLineStart = true;
  // The logical line being read.
  let indent = 0;
  let count = 0;
  let afterColonOrSemicolon = false;
  let statement: Token[] | undefined;
  // An `except` clause being read: the frame it belongs to and what it catches so far.
  let handler: TryFrame | undefined;
  let handlerNames = 0;
  let handlerCatches = false;

  function addImports(tokens: Token[]): void {
    const found = tokens[0]!.value === 'import' ? readImport(tokens, 1) : readFromImport(tokens, 1);
    for (const { importPath, offset } of found) {
      const record: ImportRecord = {
        importPath,
        line: 0,
        optional: frames.some((f) => f.phase === 'handler' && f.guardedHandler),
      };
      for (const frame of frames) if (frame.phase === 'body') frame.body.push(record);
      records.push(record);
      offsets.push(offset);
    }
  }

  function finishHandler(): void {
    if (!handler) return;
    handler.guardedHandler = handlerNames === 0 || handlerCatches;
    if (handler.guardedHandler) for (const record of handler.body) record.optional = true;
    handler = undefined;
  }

  function endLine(): void {
    finishHandler();
    if (statement) addImports(statement);
    statement = undefined;
    count = 0;
    afterColonOrSemicolon = false;
  }

  function openLine(word: string): void {
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (indent > frame.indent) break;
      if (indent === frame.indent && (word === 'except' || word === 'else' || word === 'finally')) {
        frame.phase = word === 'except' ? 'handler' : 'other';
        frame.guardedHandler = false;
        if (word === 'except') {
          handler = frame;
          handlerNames = 0;
          handlerCatches = false;
        }
        break;
      }
      frames.pop();
    }
    if (word === 'try') frames.push({ indent, phase: 'body', guardedHandler: false, body: [] });
  }

  function token(type: Token['type'], start: number, end: number): void {
    const startsStatement = count === 0 || (depth === 0 && afterColonOrSemicolon);
    const length = end - start;
    const wanted =
      type === 'name' &&
      (count === 0 ||
        statement !== undefined ||
        handler !== undefined ||
        (startsStatement && (length === 6 || length === 4)));
    const value = type === 'op' || wanted ? source.slice(start, end) : '';
    if (count === 0) openLine(type === 'name' ? value : '');
    count++;
    if (handler && count > 1) {
      if (type === 'op' && value === ':' && depth === 0) finishHandler();
      else if (type === 'name') {
        handlerNames++;
        if (IMPORT_ERRORS.has(value)) handlerCatches = true;
      } else if (type !== 'op') handlerNames++;
    }
    if (startsStatement && type === 'name' && (value === 'import' || value === 'from')) {
      if (statement) addImports(statement);
      statement = [];
    }
    if (statement) {
      if (type === 'op' && value === ';' && depth === 0) {
        addImports(statement);
        statement = undefined;
      } else {
        statement.push({ type, value, offset: start });
      }
    }
    afterColonOrSemicolon = type === 'op' && depth === 0 && (value === ':' || value === ';');
  }

  while (i < n) {
    if (atLineStart) {
      atLineStart = false;
      let column = 0;
      for (
        let c = source.charCodeAt(i);
        c === 32 || c === 9 || c === 12;
        c = source.charCodeAt(i)
      ) {
        column = c === 9 ? column - (column % 8) + 8 : column + 1;
        i++;
      }
      if (depth > 0 && IMPORT_LINE.test(source.slice(i, i + 200))) {
        depth = 0;
        endLine();
      }
      if (count === 0) indent = column;
      continue;
    }
    const code = source.charCodeAt(i);
    if (code === 32 || code === 9 || code === 12 || code === 13) {
      i++;
    } else if (code === 10) {
      if (depth === 0) endLine();
      atLineStart = true;
      i++;
    } else if (code === 35) {
      const newline = source.indexOf('\n', i);
      i = newline === -1 ? n : newline;
    } else if (code === 92) {
      if (source.charCodeAt(i + 1) === 10) i += 2;
      else if (source.charCodeAt(i + 1) === 13 && source.charCodeAt(i + 2) === 10) i += 3;
      else i++;
    } else if (code === 34 || code === 39) {
      const end = scanString(source, i, '', 0);
      token('string', i, end);
      i = end;
    } else if (isIdentifierStart(code)) {
      let j = i + 1;
      while (j < n && isIdentifierPart(source.charCodeAt(j))) j++;
      const next = source.charCodeAt(j);
      const prefix =
        j - i <= 2 && (next === 34 || next === 39) ? source.slice(i, j).toLowerCase() : '';
      if (prefix !== '' && STRING_PREFIXES.has(prefix)) {
        const end = scanString(source, j, prefix, 0);
        token('string', i, end);
        i = end;
      } else {
        token('name', i, j);
        i = j;
      }
    } else if (code >= 48 && code <= 57) {
      let j = i + 1;
      while (j < n && (isIdentifierPart(source.charCodeAt(j)) || source.charCodeAt(j) === 46)) j++;
      token('other', i, j);
      i = j;
    } else if (code === 46 && source.startsWith('...', i)) {
      token('op', i, i + 3);
      i += 3;
    } else if (code === 58 && source.charCodeAt(i + 1) === 61) {
      token('op', i, i + 2);
      i += 2;
    } else {
      // Brackets count before the token is seen, so '(' is inside and ')' outside.
      if (code === 40 || code === 91 || code === 123) depth++;
      token('op', i, i + 1);
      if (code === 41 || code === 93 || code === 125) depth = Math.max(0, depth - 1);
      i++;
    }
  }
  endLine();

  // Offsets only grow, so one walk over the newlines numbers every record.
  let line = 1;
  let position = 0;
  records.forEach((record, k) => {
    const offset = offsets[k]!;
    for (let nl = source.indexOf('\n', position); nl !== -1 && nl < offset; ) {
      line++;
      position = nl + 1;
      nl = source.indexOf('\n', position);
    }
    record.line = line;
  });
  return records;
}

/**
 * Skips a string literal whose opening quote is at `start`; returns the offset after it.
 * A one-quote string also ends at an unescaped newline (unterminated: recover there).
 */
function scanString(source: string, start: number, prefix: string, nesting: number): number {
  const quote = source.charCodeAt(start);
  const triple = source.charCodeAt(start + 1) === quote && source.charCodeAt(start + 2) === quote;
  const formatted = (prefix.includes('f') || prefix.includes('t')) && nesting < MAX_FSTRING_NESTING;
  let i = start + (triple ? 3 : 1);
  const n = source.length;
  while (i < n) {
    const code = source.charCodeAt(i);
    if (code === 92) {
      i += 2;
    } else if (code === quote) {
      if (!triple) return i + 1;
      if (source.charCodeAt(i + 1) === quote && source.charCodeAt(i + 2) === quote) return i + 3;
      i++;
    } else if (code === 10 && !triple) {
      return i;
    } else if (formatted && code === 123) {
      if (source.charCodeAt(i + 1) === 123) i += 2;
      else {
        i = scanReplacementField(source, i + 1, triple, nesting);
        if (!triple && source.charCodeAt(i) === 10) return i;
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
    } else if (isIdentifierStart(source.charCodeAt(i))) {
      let j = i + 1;
      while (j < n && isIdentifierPart(source.charCodeAt(j))) j++;
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
