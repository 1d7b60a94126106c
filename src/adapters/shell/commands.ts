import { tokenizeShell, type Word } from '../../core/shell/tokenize.js';

/**
 * The structure of shell text a rewrite needs beyond what the scanner reports: where each
 * simple command starts and ends, and what lies between commands (separators and the
 * reserved words the tokenizer steps over: `if`, `then`, `fi`, `{`, …). Built on the
 * shared tokenizer, so quoting, heredocs, substitutions and continuations are read the
 * way the scanner reads them.
 */

export interface ShellCommand {
  words: Word[];
  redirects: Word[];
  /** From the first word (or redirection) to the last, as written. */
  start: number;
  end: number;
}

/**
 * The commands of text[from, to) in order, without those that run inside another
 * command's word (`$(dirname "$0")`): removing a command removes those with it.
 */
export function listCommands(text: string, from = 0, to = text.length): ShellCommand[] {
  const source = from === 0 && to === text.length ? text : ' '.repeat(from) + text.slice(from, to);
  const found: ShellCommand[] = [];
  tokenizeShell(source, {
    lookup: () => undefined,
    command: ({ words, redirects }) => {
      const all = [...words, ...redirects];
      if (all.length === 0) return;
      const start = Math.min(...all.map((w) => w.start));
      const end = Math.max(...all.map((w) => w.end));
      found.push({ words, redirects, start, end });
    },
    enterSubshell: () => {},
    leaveSubshell: () => undefined,
    scriptPath: () => undefined,
  });
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: ShellCommand[] = [];
  let outer: ShellCommand | undefined;
  for (const command of found) {
    if (outer && command.start >= outer.start && command.end <= outer.end) continue;
    out.push(command);
    outer = command;
  }
  return out;
}

/** The index of the command whose extent holds [start, end), or -1. */
export function commandIndexAt(
  commands: readonly ShellCommand[],
  start: number,
  end: number,
): number {
  return commands.findIndex((c) => c.start <= start && end <= c.end);
}

export interface Token {
  value: string;
  start: number;
  end: number;
}

/**
 * What stands between two commands: operators (`;`, `&&`, `||`, `|`, `(`, `)`) and words
 * (reserved words, or a heredoc body). Blanks, line continuations and comments are left out.
 */
export function gapTokens(text: string, from: number, to: number): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') {
      i += 3;
      continue;
    }
    if (c === '#') {
      while (i < to && text[i] !== '\n') i++;
      continue;
    }
    const operator = /^(?:;;&|;;|;&|&&|\|\||\|&|[;&|()])/.exec(text.slice(i, Math.min(to, i + 3)));
    if (operator) {
      out.push({ value: operator[0], start: i, end: i + operator[0].length });
      i += operator[0].length;
      continue;
    }
    let j = i;
    while (j < to && !/[\s;&|()]/.test(text[j]!)) j++;
    out.push({ value: text.slice(i, j), start: i, end: j });
    i = j;
  }
  return out;
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The end of the line holding `offset`, before its line ending. */
export function lineEndOf(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline === -1 ? text.length : newline;
  return end > offset && text[end - 1] === '\r' ? end - 1 : end;
}

/** The indentation of the line holding `offset`. */
export function indentOf(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStartOf(text, offset)))![0];
}

/**
 * The lines holding [start, end), line ending included (at the end of a text without a
 * final newline, the line ending before them instead): the range that removes them.
 */
export function wholeLines(
  text: string,
  start: number,
  end: number,
): { start: number; end: number } {
  const first = lineStartOf(text, start);
  const newline = text.indexOf('\n', Math.max(end - 1, start));
  if (newline !== -1) return { start: first, end: newline + 1 };
  if (first === 0) return { start: 0, end: text.length };
  return { start: text[first - 2] === '\r' ? first - 2 : first - 1, end: text.length };
}

/** Nothing but blanks between the start of the line and `offset`. */
export function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStartOf(text, offset), offset));
}

/** Nothing but blanks, a `;` or a comment between `offset` and the end of the line. */
export function endsLine(text: string, offset: number): boolean {
  return /^[ \t]*;?[ \t]*(?:#.*)?$/.test(text.slice(offset, lineEndOf(text, offset)));
}

/** Tokens after which a command list must not be empty, and tokens that close one. */
const OPENERS = new Set(['then', 'do', 'else', '{', '(']);
const CLOSERS = new Set(['fi', 'done', '}', ')', 'else', 'elif']);

function separatorsOnly(tokens: readonly Token[]): boolean {
  return tokens.every((t) => t.value === ';' || t.value === '&&');
}

/** The bare name a command word runs: `"$X/bin/python3"` → `python3`, `[` → `[`. */
export function commandName(text: string, word: Word | undefined): string {
  if (word === undefined) return '';
  const raw = text.slice(word.start, word.end).replace(/["']/g, '');
  return raw.slice(raw.lastIndexOf('/') + 1);
}

export interface IfBlock {
  /** From the start of the `if` line to the end of the `fi` line, before its line ending. */
  start: number;
  end: number;
  /** The whole lines, line endings included: the range that removes the block. */
  removal: { start: number; end: number };
  indent: string;
  condition: ShellCommand[];
  body: ShellCommand[];
}

/**
 * The `if …; then …; fi` around command `index` when it has no `else`, its `if` starts a
 * line and its `fi` ends one: the unit to take out when its body goes.
 */
export function ifBlockAround(
  text: string,
  commands: readonly ShellCommand[],
  index: number,
  from: number,
  to: number,
): IfBlock | undefined {
  let first = index;
  // Back over the body to the `then`.
  for (;;) {
    if (first === 0) return undefined;
    const gap = gapTokens(text, commands[first - 1]!.end, commands[first]!.start);
    if (separatorsOnly(gap)) {
      first--;
      continue;
    }
    const last = gap[gap.length - 1];
    if (last?.value === 'then' && separatorsOnly(gap.slice(0, -1))) break;
    return undefined;
  }
  // Back over the condition (`a | b`, `! a`, `a && b`) to the `if`.
  let c = first - 1;
  let ifToken: Token | undefined;
  for (;;) {
    const before = c === 0 ? from : commands[c - 1]!.end;
    const gap = gapTokens(text, before, commands[c]!.start).filter((t) => t.value !== '!');
    const last = gap[gap.length - 1];
    if (last?.value === 'if') {
      ifToken = last;
      break;
    }
    if (gap.length === 1 && ['|', '&&', '||'].includes(last!.value) && c > 0) {
      c--;
      continue;
    }
    return undefined;
  }
  if (!startsLine(text, ifToken.start)) return undefined;
  // Forward over the body to the `fi`.
  let last = index;
  while (last + 1 < commands.length) {
    const gap = gapTokens(text, commands[last]!.end, commands[last + 1]!.start);
    if (!separatorsOnly(gap)) break;
    last++;
  }
  const after = last + 1 < commands.length ? commands[last + 1]!.start : to;
  const closing = gapTokens(text, commands[last]!.end, after);
  const fi = closing.findIndex((t) => t.value !== ';');
  const fiToken = closing[fi];
  if (fiToken?.value !== 'fi' || !endsLine(text, fiToken.end)) return undefined;
  return {
    start: lineStartOf(text, ifToken.start),
    end: lineEndOf(text, fiToken.end),
    removal: wholeLines(text, ifToken.start, fiToken.end),
    indent: indentOf(text, ifToken.start),
    condition: commands.slice(c, first),
    body: commands.slice(first, last + 1),
  };
}

/**
 * `[ -d .venv ] || python3 -m venv .venv` alone on its line: the test guarding command
 * `index` and the line range they fill.
 */
export function guardedLine(
  text: string,
  commands: readonly ShellCommand[],
  index: number,
): { start: number; end: number; indent: string; condition: ShellCommand } | undefined {
  if (index === 0) return undefined;
  const condition = commands[index - 1]!;
  const command = commands[index]!;
  const gap = gapTokens(text, condition.end, command.start);
  if (gap.length !== 1 || gap[0]!.value !== '||') return undefined;
  if (!startsLine(text, condition.start) || !endsLine(text, command.end)) return undefined;
  if (text.slice(condition.start, command.start).includes('\n')) return undefined;
  return {
    ...wholeLines(text, condition.start, command.end),
    indent: indentOf(text, condition.start),
    condition,
  };
}

/** Two commands joined by `&&`, or by `;` on one line: one list. */
export function listed(text: string, left: ShellCommand, right: ShellCommand): boolean {
  const gap = gapTokens(text, left.end, right.start);
  if (gap.length !== 1) return false;
  if (gap[0]!.value === '&&') return true;
  return gap[0]!.value === ';' && !text.slice(left.end, right.start).includes('\n');
}

/**
 * How to take commands `first`…`last` (one list) out of the text: their whole lines when
 * they are alone there, with the `&&`/`;` that joins them to the rest of a list, or `:`
 * where the shell needs a command (`then …; fi`). Undefined when they sit in a pipe or
 * after `||`, where removing them changes what runs.
 */
export function commandRemoval(
  text: string,
  commands: readonly ShellCommand[],
  first: number,
  last: number,
  from: number,
  to: number,
): { start: number; end: number; replacement: string } | undefined {
  const head = commands[first]!;
  const tail = commands[last]!;
  const previousEnd = first > 0 ? commands[first - 1]!.end : from;
  const nextStart = last + 1 < commands.length ? commands[last + 1]!.start : to;
  const before = gapTokens(text, previousEnd, head.start);
  const after = gapTokens(text, tail.end, nextStart);
  const opener = OPENERS.has(before[before.length - 1]?.value ?? '');
  const firstAfter = after.find((t) => t.value !== ';');
  const closer = CLOSERS.has(firstAfter?.value ?? '');
  if (opener && closer) return { start: head.start, end: tail.end, replacement: ':' };
  if (startsLine(text, head.start) && endsLine(text, tail.end)) {
    return { ...wholeLines(text, head.start, tail.end), replacement: '' };
  }
  if (last + 1 < commands.length && listed(text, tail, commands[last + 1]!)) {
    return { start: head.start, end: nextStart, replacement: '' };
  }
  if (first > 0 && listed(text, commands[first - 1]!, head)) {
    return { start: previousEnd, end: tail.end, replacement: '' };
  }
  return undefined;
}

/**
 * Splits `raw` at `separator` characters that stand outside quotes, `$(…)`, `${…}` and
 * backticks, keeping each piece's offset.
 */
export function splitTopLevel(
  raw: string,
  separator: (ch: string) => boolean,
): { text: string; start: number }[] {
  const pieces: { text: string; start: number }[] = [];
  const stack: string[] = [];
  let pieceStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const top = stack[stack.length - 1];
    if (top === "'") {
      if (c === "'") stack.pop();
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (top === '`') {
      if (c === '`') stack.pop();
      continue;
    }
    if (c === '$' && (raw[i + 1] === '(' || raw[i + 1] === '{')) {
      stack.push(raw[i + 1]!);
      i++;
      continue;
    }
    if (top === '"') {
      if (c === '"') stack.pop();
      else if (c === '`') stack.push(c);
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      stack.push(c);
      continue;
    }
    if (c === '(' && top === '(') {
      stack.push(c);
      continue;
    }
    if ((c === ')' && top === '(') || (c === '}' && top === '{')) {
      stack.pop();
      continue;
    }
    if (stack.length === 0 && separator(c)) {
      pieces.push({ text: raw.slice(pieceStart, i), start: pieceStart });
      pieceStart = i + 1;
    }
  }
  pieces.push({ text: raw.slice(pieceStart), start: pieceStart });
  return pieces;
}
