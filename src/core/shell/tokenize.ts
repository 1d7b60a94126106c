/**
 * A recovering POSIX/bash tokenizer for the shell text that lives in scripts, workflow
 * `run:` steps, Makefile recipes and editor tasks. It never throws and never gives up on
 * the rest of the text: an unterminated quote runs to the end, a stray `)` is skipped.
 * It hands each simple command (words already expanded as far as the host can tell) to
 * the host in execution order, so the host's state (cwd, variables, the activated venv)
 * is current when a later word is expanded.
 */

/** Marks a piece of a value that cannot be known statically ($HOME, $(curl …), $RANDOM). */
export const UNKNOWN = '\u0001';
/** Leads a value that is anchored at the repository root (`$(git rev-parse --show-toplevel)`). */
export const ROOT = '\u0000';

export interface Word {
  /** Offsets of the word as written, quotes included. */
  start: number;
  end: number;
  /** The expanded value; UNKNOWN stands for each piece that could not be resolved. */
  value: string;
  /** Names of the variables the word expands (resolved or not). */
  variables: string[];
  /** The word contains quoting. */
  quoted: boolean;
}

export interface SimpleCommand {
  words: Word[];
  /** Targets of the command's redirections (`>> "$GITHUB_PATH"`), heredocs excepted. */
  redirects: Word[];
}

export interface ShellHost {
  lookup(name: string): string | undefined;
  command(command: SimpleCommand): void;
  enterSubshell(): void;
  /** Leaves a `$(…)`/subshell; returns the substitution's value when it can be known. */
  leaveSubshell(commands: SimpleCommand[]): string | undefined;
  /** `$0` / `${BASH_SOURCE[0]}`. */
  scriptPath(): string | undefined;
}

const BLANK = new Set([' ', '\t', '\r', '\f', '\v']);
const BREAK = new Set([' ', '\t', '\r', '\f', '\v', '\n', ';', '&', '|', '(', ')', '<', '>']);
const KEYWORD_SKIP = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  '!',
  '{',
  '}',
  'time',
  'esac',
  'coproc',
]);
/** Characters that end a run of plain word text, unquoted and inside double quotes. */
const WORD_SPECIAL = specialTable(' \t\r\f\v\n;&|()<>\\\'"`$');
const DOUBLE_SPECIAL = specialTable('"\\$`');

function specialTable(chars: string): Uint8Array {
  const table = new Uint8Array(65536);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

/** Deep enough for any real script; stops hostile input from exhausting the stack. */
const MAX_DEPTH = 64;

interface WordBuilder {
  parts: string[];
  variables: string[];
  quoted: boolean;
}

interface PendingHeredoc {
  delimiter: string;
  stripTabs: boolean;
}

export function tokenizeShell(text: string, host: ShellHost): void {
  new Scanner(text, 0, text.length, host, 0).parseList(false, undefined);
}

class Scanner {
  private readonly heredocs: PendingHeredoc[] = [];
  private caseDepth = 0;
  private expectPattern = false;

  constructor(
    private readonly text: string,
    private pos: number,
    private readonly end: number,
    private readonly host: ShellHost,
    private readonly depth: number,
  ) {}

  /** Parses commands until the end, or (closer) until an unmatched `)` which it consumes. */
  parseList(closer: boolean, collect: SimpleCommand[] | undefined): void {
    let words: Word[] = [];
    let redirects: Word[] = [];
    const finish = () => {
      if (words.length > 0) {
        const command = { words, redirects };
        collect?.push(command);
        this.host.command(command);
      }
      words = [];
      redirects = [];
    };
    const text = this.text;
    while (this.pos < this.end) {
      this.skipBlanks();
      if (this.pos >= this.end) break;
      if (this.expectPattern && words.length === 0) {
        if (this.skipCasePattern()) continue;
      }
      const c = text[this.pos]!;
      const next = text[this.pos + 1];
      if (c === '#') {
        this.skipComment();
        continue;
      }
      if (c === '\n') {
        finish();
        this.pos++;
        this.readHeredocBodies();
        continue;
      }
      if (c === ')') {
        finish();
        this.pos++;
        if (closer) return;
        continue;
      }
      if (c === ';') {
        finish();
        if (next === ';') {
          this.pos += text[this.pos + 2] === '&' ? 3 : 2;
          if (this.caseDepth > 0) this.expectPattern = true;
        } else if (next === '&') {
          this.pos += 2;
          if (this.caseDepth > 0) this.expectPattern = true;
        } else {
          this.pos++;
        }
        continue;
      }
      if (c === '&' && next === '>') {
        this.pos += text[this.pos + 2] === '>' ? 3 : 2;
        const target = this.readRedirectTarget();
        if (target !== undefined) redirects.push(target);
        continue;
      }
      if (c === '&' || c === '|') {
        finish();
        this.pos += next === c || (c === '|' && next === '&') ? 2 : 1;
        continue;
      }
      if (c === '(') {
        if (words.length === 0) {
          if (next === '(') {
            this.skipArithmetic(this.pos + 2);
            continue;
          }
          this.pos++;
          this.subshell(true, undefined);
          continue;
        }
        if (words.length === 1 && this.peekFunctionParens()) {
          // `name() {` defines a function: the name is not a command.
          words = [];
          continue;
        }
        this.pos++;
        continue;
      }
      if ((c === '<' || c === '>') && next !== '(') {
        const target = this.readRedirect();
        if (target !== undefined) redirects.push(target);
        continue;
      }
      const word = this.readWord(false);
      if (
        word.end > word.start &&
        /^\d+$/.test(text.slice(word.start, word.end)) &&
        (text[this.pos] === '<' || text[this.pos] === '>')
      ) {
        continue; // a file descriptor number: `2>&1`
      }
      if (words.length === 0 && this.keyword(word)) continue;
      words.push(word);
    }
    finish();
  }

  /** Handles a reserved word at command position; true when it was one. */
  private keyword(word: Word): boolean {
    const raw = this.text.slice(word.start, word.end);
    if (KEYWORD_SKIP.has(raw)) {
      if (raw === 'esac' && this.caseDepth > 0) this.caseDepth--;
      return true;
    }
    if (raw === 'function') {
      this.skipBlanks();
      this.readWord(false);
      this.skipBlanks();
      if (this.text[this.pos] === '(' && this.text[this.pos + 1] === ')') this.pos += 2;
      return true;
    }
    if (raw === 'for' || raw === 'select') {
      this.skipBlanks();
      if (this.text[this.pos] === '(' && this.text[this.pos + 1] === '(') {
        this.skipArithmetic(this.pos + 2);
      }
      this.skipWordsUntil(null);
      return true;
    }
    if (raw === 'case') {
      this.skipWordsUntil('in');
      this.caseDepth++;
      this.expectPattern = true;
      return true;
    }
    return false;
  }

  /** Discards words up to a separator (or up to and including the word `stop`). */
  private skipWordsUntil(stop: string | null): void {
    const text = this.text;
    while (this.pos < this.end) {
      this.skipBlanks();
      const c = text[this.pos];
      if (c === undefined || this.pos >= this.end) return;
      if (c === '\n' || c === ';' || c === '&' || c === '|' || c === ')' || c === '#') return;
      if (c === '(' || c === '<' || c === '>') {
        this.pos++;
        continue;
      }
      const word = this.readWord(false);
      if (stop !== null && text.slice(word.start, word.end) === stop) return;
      if (word.end === word.start) this.pos++;
    }
  }

  /** At the start of a case item: skips `(pattern|pattern)`, or `esac`. */
  private skipCasePattern(): boolean {
    const text = this.text;
    const c = text[this.pos]!;
    if (c === '\n' || c === '#' || c === ';') return false;
    if (text.startsWith('esac', this.pos) && !this.isWordChar(text[this.pos + 4])) {
      this.pos += 4;
      this.caseDepth--;
      this.expectPattern = false;
      return true;
    }
    this.expectPattern = false;
    if (c === '(') this.pos++;
    let depth = 0;
    while (this.pos < this.end) {
      const ch = text[this.pos]!;
      if (ch === '\\') {
        this.pos += 2;
        continue;
      }
      if (ch === "'" || ch === '"') {
        this.skipQuoted(ch);
        continue;
      }
      if (ch === '(') depth++;
      if (ch === ')') {
        if (depth === 0) {
          this.pos++;
          return true;
        }
        depth--;
      }
      if (ch === '\n' && depth === 0) return true;
      this.pos++;
    }
    return true;
  }

  private isWordChar(c: string | undefined): boolean {
    return c !== undefined && !BREAK.has(c);
  }

  private skipQuoted(quote: string): void {
    const text = this.text;
    this.pos++;
    while (this.pos < this.end && text[this.pos] !== quote) {
      if (quote === '"' && text[this.pos] === '\\') this.pos++;
      this.pos++;
    }
    this.pos = Math.min(this.pos + 1, this.end);
  }

  private peekFunctionParens(): boolean {
    let p = this.pos + 1;
    while (p < this.end && BLANK.has(this.text[p]!)) p++;
    if (this.text[p] !== ')') return false;
    this.pos = p + 1;
    return true;
  }

  private skipBlanks(): void {
    const text = this.text;
    while (this.pos < this.end) {
      const c = text[this.pos]!;
      if (BLANK.has(c)) {
        this.pos++;
        continue;
      }
      if (c === '\\' && this.continuationLength(this.pos) > 0) {
        this.pos += this.continuationLength(this.pos);
        continue;
      }
      return;
    }
  }

  /** Length of a `\`-newline line continuation at `at` (CRLF aware), else 0. */
  private continuationLength(at: number): number {
    const text = this.text;
    if (text[at] !== '\\' || at + 1 >= this.end) return 0;
    if (text[at + 1] === '\n') return 2;
    if (text[at + 1] === '\r' && text[at + 2] === '\n' && at + 2 < this.end) return 3;
    return 0;
  }

  private skipComment(): void {
    const newline = this.text.indexOf('\n', this.pos);
    this.pos = newline === -1 || newline > this.end ? this.end : newline;
  }

  private readHeredocBodies(): void {
    const text = this.text;
    for (const heredoc of this.heredocs) {
      while (this.pos < this.end) {
        let lineEnd = text.indexOf('\n', this.pos);
        if (lineEnd === -1 || lineEnd > this.end) lineEnd = this.end;
        let line = text.slice(this.pos, lineEnd);
        this.pos = Math.min(lineEnd + 1, this.end);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (heredoc.stripTabs) line = line.replace(/^\t+/, '');
        if (line === heredoc.delimiter) break;
      }
    }
    this.heredocs.length = 0;
  }

  private readRedirect(): Word | undefined {
    const text = this.text;
    const c = text[this.pos]!;
    if (c === '<' && text[this.pos + 1] === '<' && text[this.pos + 2] !== '<') {
      const stripTabs = text[this.pos + 2] === '-';
      this.pos += stripTabs ? 3 : 2;
      this.skipBlanks();
      const start = this.pos;
      this.readWord(false);
      const delimiter = text.slice(start, this.pos).replace(/["'\\]/g, '');
      if (delimiter !== '') this.heredocs.push({ delimiter, stripTabs });
      return undefined;
    }
    this.pos++;
    while (this.pos < this.end && '<>&|'.includes(text[this.pos]!)) this.pos++;
    return this.readRedirectTarget();
  }

  private readRedirectTarget(): Word | undefined {
    this.skipBlanks();
    const c = this.text[this.pos];
    if (c === undefined || this.pos >= this.end || (BREAK.has(c) && c !== '<' && c !== '>')) {
      return undefined;
    }
    return this.readWord(false);
  }

  /** Skips `((…))`/`$((…))` from just inside the opening parens. */
  private skipArithmetic(from: number): void {
    const text = this.text;
    let depth = 2;
    let p = from;
    while (p < this.end && depth > 0) {
      const c = text[p];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      p++;
    }
    this.pos = p;
  }

  private subshell(closer: boolean, collect: SimpleCommand[] | undefined): string | undefined {
    const commands: SimpleCommand[] = collect ?? [];
    this.host.enterSubshell();
    if (this.depth >= MAX_DEPTH) {
      this.skipToClose();
    } else {
      const inner = new Scanner(this.text, this.pos, this.end, this.host, this.depth + 1);
      inner.parseList(closer, commands);
      this.pos = inner.pos;
    }
    return this.host.leaveSubshell(commands);
  }

  private skipToClose(): void {
    let depth = 1;
    while (this.pos < this.end && depth > 0) {
      const c = this.text[this.pos];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      this.pos++;
    }
  }

  /** Reads one word; `whole` reads to the end of the range (a `${x:-default}` word). */
  readWord(whole: boolean): Word {
    const text = this.text;
    const start = this.pos;
    const b: WordBuilder = { parts: [], variables: [], quoted: false };
    while (this.pos < this.end) {
      const c = text[this.pos]!;
      if (!whole && BREAK.has(c)) {
        if ((c === '<' || c === '>') && text[this.pos + 1] === '(' && this.pos === start) {
          this.pos += 2;
          this.subshell(true, undefined);
          b.parts.push(UNKNOWN);
          continue;
        }
        if (c === '(' && this.isArrayAssignment(start)) {
          this.pos++;
          this.skipToClose();
          b.parts.push(UNKNOWN);
          continue;
        }
        break;
      }
      if (c === '\\') {
        const cont = this.continuationLength(this.pos);
        if (cont > 0) {
          this.pos += cont;
          continue;
        }
        const n = text[this.pos + 1];
        if (n === undefined || this.pos + 1 >= this.end) {
          b.parts.push('\\');
          this.pos++;
          continue;
        }
        // `.venv\Scripts\python.exe` means a Windows path, not escaped letters.
        b.parts.push(/[A-Za-z0-9_.-]/.test(n) ? `\\${n}` : n);
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        b.quoted = true;
        this.readSingle(b);
        continue;
      }
      if (c === '"') {
        b.quoted = true;
        this.pos++;
        this.readDouble(b);
        continue;
      }
      if (c === '`') {
        this.readBackticks(b);
        continue;
      }
      if (c === '$') {
        this.dollar(b);
        continue;
      }
      // A run of ordinary characters in one piece: most of any script is plain words.
      const runStart = this.pos;
      this.pos++;
      while (this.pos < this.end && !WORD_SPECIAL[text.charCodeAt(this.pos)]) this.pos++;
      b.parts.push(text.slice(runStart, this.pos));
    }
    return {
      start,
      end: this.pos,
      value: b.parts.join(''),
      variables: b.variables,
      quoted: b.quoted,
    };
  }

  private isArrayAssignment(start: number): boolean {
    return /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=$/.test(this.text.slice(start, this.pos));
  }

  private readSingle(b: WordBuilder): void {
    const text = this.text;
    this.pos++;
    while (this.pos < this.end && text[this.pos] !== "'") {
      b.parts.push(text[this.pos]!);
      this.pos++;
    }
    this.pos = Math.min(this.pos + 1, this.end);
  }

  private readDouble(b: WordBuilder): void {
    const text = this.text;
    while (this.pos < this.end) {
      const c = text[this.pos]!;
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c === '\\') {
        const cont = this.continuationLength(this.pos);
        if (cont > 0) {
          this.pos += cont;
          continue;
        }
        const n = text[this.pos + 1];
        if (n !== undefined && '$`"\\'.includes(n) && this.pos + 1 < this.end) {
          b.parts.push(n);
          this.pos += 2;
          continue;
        }
        b.parts.push('\\');
        this.pos++;
        continue;
      }
      if (c === '$') {
        this.dollar(b);
        continue;
      }
      if (c === '`') {
        this.readBackticks(b);
        continue;
      }
      const runStart = this.pos;
      this.pos++;
      while (this.pos < this.end && !DOUBLE_SPECIAL[text.charCodeAt(this.pos)]) this.pos++;
      b.parts.push(text.slice(runStart, this.pos));
    }
  }

  private readBackticks(b: WordBuilder): void {
    const text = this.text;
    let close = this.pos + 1;
    while (close < this.end && text[close] !== '`') {
      if (text[close] === '\\') close++;
      close++;
    }
    close = Math.min(close, this.end);
    this.host.enterSubshell();
    const commands: SimpleCommand[] = [];
    if (this.depth < MAX_DEPTH) {
      new Scanner(text, this.pos + 1, close, this.host, this.depth + 1).parseList(false, commands);
    }
    const value = this.host.leaveSubshell(commands);
    b.parts.push(value ?? UNKNOWN);
    this.pos = Math.min(close + 1, this.end);
  }

  private dollar(b: WordBuilder): void {
    this.pos++;
    this.shellExpansion(b);
  }

  private pushVariable(b: WordBuilder, name: string, lookup: boolean): void {
    b.variables.push(name);
    const value = lookup ? this.host.lookup(name) : undefined;
    b.parts.push(value ?? UNKNOWN);
  }

  /** After a shell `$` (pos is just past it). */
  private shellExpansion(b: WordBuilder): void {
    const text = this.text;
    const c = text[this.pos];
    if (c === undefined || this.pos >= this.end) {
      b.parts.push('$');
      return;
    }
    if (c === '(') {
      if (text[this.pos + 1] === '(') {
        this.skipArithmetic(this.pos + 2);
        b.parts.push(UNKNOWN);
        return;
      }
      this.pos++;
      b.parts.push(this.subshell(true, undefined) ?? UNKNOWN);
      return;
    }
    if (c === '{') {
      if (text[this.pos + 1] === '{') {
        // A GitHub Actions expression: `${{ github.workspace }}`.
        let close = text.indexOf('}}', this.pos + 2);
        if (close === -1 || close + 2 > this.end) close = this.end - 2;
        const expression = text.slice(this.pos + 2, Math.max(close, this.pos + 2)).trim();
        this.pos = Math.min(close + 2, this.end);
        this.pushVariable(b, `{{${expression}}}`, true);
        return;
      }
      this.parameterExpansion(b);
      return;
    }
    if (c === "'" || c === '"') {
      // $'…' and $"…": quoting variants.
      b.quoted = true;
      if (c === "'") {
        this.readAnsiC(b);
      } else {
        this.pos++;
        this.readDouble(b);
      }
      return;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(
      text.slice(this.pos, Math.min(this.end, this.pos + 256)),
    );
    if (name) {
      this.pos += name[0].length;
      this.pushShellVariable(b, name[0]);
      return;
    }
    if (/[0-9@*#?$!-]/.test(c)) {
      this.pos++;
      this.pushShellVariable(b, c);
      return;
    }
    b.parts.push('$');
  }

  private readAnsiC(b: WordBuilder): void {
    const text = this.text;
    this.pos++;
    while (this.pos < this.end && text[this.pos] !== "'") {
      if (text[this.pos] === '\\' && this.pos + 1 < this.end) {
        b.parts.push(text[this.pos + 1]!);
        this.pos += 2;
        continue;
      }
      b.parts.push(text[this.pos]!);
      this.pos++;
    }
    this.pos = Math.min(this.pos + 1, this.end);
  }

  private pushShellVariable(b: WordBuilder, name: string): void {
    b.variables.push(name);
    b.parts.push(this.shellValue(name) ?? UNKNOWN);
  }

  private shellValue(name: string): string | undefined {
    if (name === '0' || name === 'BASH_SOURCE') return this.host.scriptPath();
    return this.host.lookup(name);
  }

  /** `${…}` from the `{`. */
  private parameterExpansion(b: WordBuilder): void {
    const text = this.text;
    let depth = 0;
    let p = this.pos;
    for (; p < this.end; p++) {
      const ch = text[p];
      if (ch === '\\') {
        p++;
        continue;
      }
      if (ch === "'" && depth > 0) {
        const q = text.indexOf("'", p + 1);
        p = q === -1 ? this.end : q;
        continue;
      }
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === 0) break;
      }
    }
    const innerStart = this.pos + 1;
    const innerEnd = Math.min(p, this.end);
    this.pos = Math.min(p + 1, this.end);
    const inner = text.slice(innerStart, innerEnd);
    const match = /^([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!-])(\[[^\]]*\])?/.exec(inner);
    if (!match || inner.startsWith('#') || inner.startsWith('!')) {
      b.variables.push(inner);
      b.parts.push(UNKNOWN);
      return;
    }
    const name = match[1]!;
    b.variables.push(name);
    const base = this.shellValue(name);
    const rest = inner.slice(match[0].length);
    if (rest === '') {
      b.parts.push(base ?? UNKNOWN);
      return;
    }
    const op = /^(:?[-=?+])/.exec(rest);
    if (op) {
      const operator = op[1]!;
      const colon = operator.startsWith(':');
      const unset = base === undefined || (colon && base === '');
      if (operator.endsWith('+')) {
        b.parts.push(UNKNOWN);
        return;
      }
      if (!unset) {
        b.parts.push(base);
        return;
      }
      // An unset variable with a default: the default is what runs unless overridden.
      const word = this.subWord(innerStart + match[0].length + operator.length, innerEnd);
      b.variables.push(...word.variables);
      b.parts.push(word.value);
      return;
    }
    if (rest === '%/*' && base !== undefined && base.includes('/')) {
      b.parts.push(base.slice(0, base.lastIndexOf('/')));
      return;
    }
    b.parts.push(UNKNOWN);
  }

  private subWord(start: number, end: number): Word {
    if (this.depth >= MAX_DEPTH) {
      return { start, end, value: UNKNOWN, variables: [], quoted: false };
    }
    const inner = new Scanner(this.text, start, end, this.host, this.depth + 1);
    return inner.readWord(true);
  }
}
