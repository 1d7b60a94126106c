/**
 * A tokenizer for the CMake language, following cmake-language(7) and the rules of
 * CMake's own lexer (Source/LexerParser/cmListFileLexer.in.l): bracket arguments and
 * bracket comments of any `=` level, quoted arguments with escapes and `\`-newline
 * continuations, unquoted arguments including the legacy forms (`-Da="b c"`, `$(MAKEVAR)`),
 * line comments, CRLF (CMake folds `\r\n` to `\n` before lexing; a lone `\r` is space).
 *
 * Tokens cover the text without gaps, in order, so every offset belongs to exactly one
 * token. Never throws. An unterminated quoted or bracket argument (or bracket comment) is
 * flagged and ends at the end of the line it starts on, so the rest of a broken file is
 * still tokenized line by line (CMake itself would stop there).
 */

export type CMakeTokenType =
  | 'space'
  | 'newline'
  | 'line-comment'
  | 'bracket-comment'
  | 'identifier'
  | 'paren-left'
  | 'paren-right'
  | 'unquoted'
  | 'quoted'
  | 'bracket'
  | 'bad-character';

export interface CMakeToken {
  type: CMakeTokenType;
  start: number;
  end: number;
  /** Between the delimiters for quoted and bracket tokens; equal to start/end otherwise. */
  contentStart: number;
  contentEnd: number;
  /** A quoted or bracket token (or bracket comment) whose closing delimiter never came. */
  unterminated?: boolean;
}

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const NUL = 0;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const PAREN_OPEN = 40;
const PAREN_CLOSE = 41;
const BRACKET_OPEN = 91;
const EQUALS = 61;
const DOLLAR = 36;

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

/** A newline as CMake sees it at `i`: `\n`, or `\r\n` (folded); returns its length, else 0. */
function newlineAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === LF) return 1;
  if (c === CR && text.charCodeAt(i + 1) === LF) return 2;
  return 0;
}

function isIdentifierStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || (c >= 48 && c <= 57);
}

/**
 * Length of one UNQUOTED element at `i`: a character that is none of
 * ` \0\t\r\n()#"\[=`, or `\` followed by any character but `\0` and newline. 0 if none.
 */
function unquotedElement(text: string, i: number): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (c === BACKSLASH) {
    if (i + 1 >= text.length) return 0;
    const next = text.charCodeAt(i + 1);
    if (next === NUL || newlineAt(text, i + 1) > 0) return 0;
    return 2;
  }
  if (
    c === SPACE ||
    c === NUL ||
    c === TAB ||
    c === CR ||
    c === LF ||
    c === PAREN_OPEN ||
    c === PAREN_CLOSE ||
    c === HASH ||
    c === QUOTE ||
    c === BRACKET_OPEN ||
    c === EQUALS
  ) {
    return 0;
  }
  return 1;
}

/** Length of `$(NAME)` (a make variable, kept in legacy unquoted arguments) at `i`, else 0. */
function makeVariable(text: string, i: number): number {
  if (text.charCodeAt(i) !== DOLLAR || text.charCodeAt(i + 1) !== PAREN_OPEN) return 0;
  let j = i + 2;
  while (j < text.length && isIdentifierPart(text.charCodeAt(j))) j++;
  return text.charCodeAt(j) === PAREN_CLOSE ? j + 1 - i : 0;
}

/** Length of a legacy quoted part `"…"` inside an unquoted argument (`-Da="b c"`), else 0. */
function legacyQuoted(text: string, i: number): number {
  if (text.charCodeAt(i) !== QUOTE) return 0;
  let j = i + 1;
  while (j < text.length) {
    const make = makeVariable(text, j);
    if (make > 0) {
      j += make;
      continue;
    }
    const element = unquotedElement(text, j);
    if (element > 0) {
      j += element;
      continue;
    }
    const c = text.charCodeAt(j);
    if (c === SPACE || c === TAB || c === BRACKET_OPEN || c === EQUALS) {
      j++;
      continue;
    }
    return c === QUOTE ? j + 1 - i : 0;
  }
  return 0;
}

/** One LEGACY element: a make variable, an UNQUOTED element or a legacy quoted part. */
function legacyElement(text: string, i: number): number {
  return makeVariable(text, i) || unquotedElement(text, i) || legacyQuoted(text, i);
}

/**
 * End of the longest unquoted argument starting at `i` (CMake's two unquoted rules; the
 * legacy one accepts everything the plain one does), or `i` when none starts here.
 */
function unquotedEnd(text: string, i: number): number {
  let j = i;
  const first = makeVariable(text, j) || unquotedElement(text, j);
  if (first > 0) {
    j += first;
  } else if (text.charCodeAt(j) === EQUALS) {
    j++;
  } else if (text.charCodeAt(j) === BRACKET_OPEN) {
    let k = j + 1;
    while (text.charCodeAt(k) === EQUALS) k++;
    const element = legacyElement(text, k);
    if (element === 0) return i;
    j = k + element;
  } else {
    return i;
  }
  while (j < text.length) {
    const element = legacyElement(text, j);
    if (element > 0) {
      j += element;
      continue;
    }
    const c = text.charCodeAt(j);
    if (c === BRACKET_OPEN || c === EQUALS) {
      j++;
      continue;
    }
    break;
  }
  return j;
}

/** `[`, `=`…, `[` at `i`: the number of `=`, or -1 when no bracket opens here. */
function bracketLevel(text: string, i: number): number {
  if (text.charCodeAt(i) !== BRACKET_OPEN) return -1;
  let j = i + 1;
  while (text.charCodeAt(j) === EQUALS) j++;
  return text.charCodeAt(j) === BRACKET_OPEN ? j - i - 1 : -1;
}

function lineEnd(text: string, from: number): number {
  const at = text.indexOf('\n', from);
  return at === -1 ? text.length : at;
}

/** A bracket argument (or, with `#`, comment) whose `[=*[` starts at `open`. */
function bracketToken(
  text: string,
  start: number,
  open: number,
  level: number,
  type: 'bracket' | 'bracket-comment',
): CMakeToken {
  let contentStart = open + level + 2;
  // A newline right after the opening bracket is not part of the content.
  contentStart += newlineAt(text, contentStart);
  const close = `]${'='.repeat(level)}]`;
  const at = text.indexOf(close, contentStart);
  if (at !== -1) {
    return { type, start, end: at + close.length, contentStart, contentEnd: at };
  }
  const end = Math.max(lineEnd(text, start), open + level + 2);
  return {
    type,
    start,
    end,
    contentStart: Math.min(contentStart, end),
    contentEnd: end,
    unterminated: true,
  };
}

function quotedToken(text: string, start: number): CMakeToken {
  let j = start + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      return { type: 'quoted', start, end: j + 1, contentStart: start + 1, contentEnd: j };
    }
    if (c === BACKSLASH && j + 1 < text.length) {
      // `\` + newline is a continuation; `\` + anything else an escape. Both skip the pair.
      j += 1 + (newlineAt(text, j + 1) || 1);
      continue;
    }
    j++;
  }
  const end = Math.max(lineEnd(text, start), start + 1);
  return {
    type: 'quoted',
    start,
    end,
    contentStart: start + 1,
    contentEnd: end,
    unterminated: true,
  };
}

function simple(type: CMakeTokenType, start: number, end: number): CMakeToken {
  return { type, start, end, contentStart: start, contentEnd: end };
}

/** Splits CMake source text into tokens that cover it completely. Never throws. */
export function tokenizeCMake(text: string): CMakeToken[] {
  const tokens: CMakeToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let token: CMakeToken;
    if (c === LF) {
      token = simple('newline', i, i + 1);
    } else if (isSpace(c)) {
      let j = i + 1;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      token = simple('space', i, j);
    } else if (c === HASH) {
      const level = bracketLevel(text, i + 1);
      token =
        level >= 0
          ? bracketToken(text, i, i + 1, level, 'bracket-comment')
          : simple('line-comment', i, lineEnd(text, i));
    } else if (c === PAREN_OPEN) {
      token = simple('paren-left', i, i + 1);
    } else if (c === PAREN_CLOSE) {
      token = simple('paren-right', i, i + 1);
    } else if (c === QUOTE) {
      token = quotedToken(text, i);
    } else {
      const level = bracketLevel(text, i);
      if (level >= 0) {
        token = bracketToken(text, i, i, level, 'bracket');
      } else {
        const end = unquotedEnd(text, i);
        if (end > i) {
          let k = i;
          if (isIdentifierStart(c)) {
            k++;
            while (k < end && isIdentifierPart(text.charCodeAt(k))) k++;
          }
          token = simple(k === end ? 'identifier' : 'unquoted', i, end);
        } else if (c === BRACKET_OPEN) {
          token = simple('unquoted', i, i + 1);
        } else {
          token = simple('bad-character', i, i + 1);
        }
      }
    }
    tokens.push(token);
    i = token.end;
  }
  return tokens;
}
