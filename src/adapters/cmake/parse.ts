import { type CMakeToken, tokenizeCMake } from './tokenize.js';

/**
 * Command invocations of a CMake listfile, as CMake's own parser (cmListFileCache.cxx)
 * reads them: `identifier (arguments)` at the start of a line, arguments separated by
 * whitespace, newlines and comments, nested parentheses kept as arguments of their own
 * (they matter to `if()`).
 *
 * Never throws. CMake rejects a whole file at its first syntax error; this parser records
 * the error and carries on, best effort, so a broken file still yields what can be read:
 * a command whose `)` never comes ends before the next line that starts a command. Every
 * command at or after the first error is flagged `recovered`.
 */

export type CMakeArgumentKind = 'unquoted' | 'quoted' | 'bracket' | 'paren';

export interface CMakeArgument {
  kind: CMakeArgumentKind;
  /** The argument as written, quotes and brackets included. */
  start: number;
  end: number;
  /** Between the delimiters (the whole argument for unquoted ones). */
  valueStart: number;
  valueEnd: number;
  /** What CMake makes of it before expanding variables: escapes decoded, CRLF folded. */
  value: string;
  /** Parenthesis nesting depth inside the command (0 at the top level). */
  depth: number;
}

export interface CMakeCommand {
  /** As written. */
  name: string;
  /** Lower-cased: command names are case-insensitive. */
  id: string;
  /** From the first character of the name … */
  start: number;
  /** … to just after `)` (or after the last argument when `)` is missing). */
  end: number;
  /** Offset of `(`. */
  open: number;
  /** Offset of `)`, -1 when missing. */
  close: number;
  arguments: CMakeArgument[];
  /** At or after the file's first syntax error: read best effort. */
  recovered: boolean;
}

export interface CMakeParseError {
  offset: number;
  message: string;
}

export interface CMakeParseResult {
  commands: CMakeCommand[];
  errors: CMakeParseError[];
}

/** Decodes escapes as CMake does for quoted and unquoted arguments. */
export function decodeEscapes(raw: string, quoted: boolean): string {
  if (!raw.includes('\\') && !raw.includes('\r')) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === '\r' && raw[i + 1] === '\n') {
      i++;
      continue;
    }
    if (ch !== '\\' || i + 1 >= raw.length) {
      out += ch;
      i++;
      continue;
    }
    const next = raw[i + 1]!;
    if (quoted && (next === '\n' || (next === '\r' && raw[i + 2] === '\n'))) {
      i += next === '\n' ? 2 : 3;
      continue;
    }
    if (next === 't') out += '\t';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    // `\;` keeps its backslash: it protects the `;` from list splitting later on.
    else if (next === ';') out += '\\;';
    else if (/[A-Za-z0-9]/.test(next)) out += `\\${next}`;
    else out += next;
    i += 2;
  }
  return out;
}

function argumentOf(text: string, token: CMakeToken, depth: number): CMakeArgument {
  const raw = text.slice(token.contentStart, token.contentEnd);
  let kind: CMakeArgumentKind;
  let value: string;
  switch (token.type) {
    case 'quoted':
      kind = 'quoted';
      value = decodeEscapes(raw, true);
      break;
    case 'bracket':
      kind = 'bracket';
      value = raw.replace(/\r\n/g, '\n');
      break;
    case 'paren-left':
    case 'paren-right':
      kind = 'paren';
      value = raw;
      break;
    default:
      kind = 'unquoted';
      value = decodeEscapes(raw, false);
  }
  return {
    kind,
    start: token.start,
    end: token.end,
    valueStart: token.contentStart,
    valueEnd: token.contentEnd,
    value,
    depth,
  };
}

const SEPARATORS = new Set(['space', 'newline', 'line-comment', 'bracket-comment']);

class Parser {
  private readonly tokens: CMakeToken[];
  private readonly commands: CMakeCommand[] = [];
  private readonly errors: CMakeParseError[] = [];
  private t = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenizeCMake(text);
  }

  run(): CMakeParseResult {
    let haveNewline = true;
    while (this.t < this.tokens.length) {
      const token = this.tokens[this.t]!;
      switch (token.type) {
        case 'space':
        case 'line-comment':
          this.t++;
          break;
        case 'newline':
          haveNewline = true;
          this.t++;
          break;
        case 'bracket-comment':
          if (token.unterminated) this.error(token.start, 'unterminated bracket comment');
          haveNewline = false;
          this.t++;
          break;
        case 'identifier':
          if (!haveNewline) this.error(token.start, 'expected a newline before this command');
          haveNewline = false;
          this.command();
          break;
        default:
          this.error(token.start, `expected a command name, got ${describe(token)}`);
          this.skipLine();
          haveNewline = false;
      }
    }
    const first = this.errors.reduce((min, e) => Math.min(min, e.offset), Number.POSITIVE_INFINITY);
    for (const command of this.commands) command.recovered = command.start >= first;
    return { commands: this.commands, errors: this.errors };
  }

  private error(offset: number, message: string): void {
    this.errors.push({ offset, message });
  }

  private skipLine(): void {
    while (this.t < this.tokens.length && this.tokens[this.t]!.type !== 'newline') this.t++;
  }

  private command(): void {
    const nameToken = this.tokens[this.t]!;
    let k = this.t + 1;
    while (k < this.tokens.length && this.tokens[k]!.type === 'space') k++;
    const open = this.tokens[k];
    if (open?.type !== 'paren-left') {
      this.error(
        nameToken.start,
        `expected "(" after ${this.text.slice(nameToken.start, nameToken.end)}`,
      );
      this.t = k;
      this.skipLine();
      return;
    }
    const name = this.text.slice(nameToken.start, nameToken.end);
    const command: CMakeCommand = {
      name,
      id: name.toLowerCase(),
      start: nameToken.start,
      end: open.end,
      open: open.start,
      close: -1,
      arguments: [],
      recovered: false,
    };
    this.commands.push(command);
    const openIndex = k;
    let depth = 0;
    let bad = false;
    for (k = k + 1; k < this.tokens.length; k++) {
      const token = this.tokens[k]!;
      if (SEPARATORS.has(token.type)) {
        if (token.unterminated) bad = true;
        continue;
      }
      if (token.type === 'paren-right' && depth === 0) {
        command.close = token.start;
        command.end = token.end;
        this.t = k + 1;
        if (bad) this.error(command.start, `syntax error in the arguments of ${name}()`);
        return;
      }
      if (token.type === 'bad-character' || token.unterminated) bad = true;
      if (token.type === 'bad-character') continue;
      if (token.type === 'paren-right') depth--;
      command.arguments.push(argumentOf(this.text, token, depth));
      if (token.type === 'paren-left') depth++;
    }
    this.error(command.start, `${name}( has no closing ")"`);
    this.recoverUnclosed(command, openIndex + 1, k);
  }

  /**
   * The command ran to the end of the file. Cut it before the first later line that
   * starts a command (`name(` after optional space) and resume there.
   */
  private recoverUnclosed(
    command: CMakeCommand,
    firstArgumentToken: number,
    endIndex: number,
  ): void {
    let cut = endIndex;
    for (let k = firstArgumentToken; k < endIndex; k++) {
      if (this.tokens[k]!.type !== 'newline') continue;
      let m = k + 1;
      while (m < endIndex && this.tokens[m]!.type === 'space') m++;
      if (this.tokens[m]?.type !== 'identifier') continue;
      m++;
      while (m < endIndex && this.tokens[m]!.type === 'space') m++;
      if (this.tokens[m]?.type === 'paren-left') {
        cut = k;
        break;
      }
    }
    const cutOffset = cut < this.tokens.length ? this.tokens[cut]!.start : this.text.length;
    command.arguments = command.arguments.filter((a) => a.start < cutOffset);
    const last = command.arguments[command.arguments.length - 1];
    command.end = last ? last.end : command.open + 1;
    this.t = cut;
  }
}

function describe(token: CMakeToken): string {
  return token.type.replace('-', ' ');
}

/** Parses CMake source text into command invocations. Never throws. */
export function parseCMake(text: string): CMakeParseResult {
  return new Parser(text).run();
}
