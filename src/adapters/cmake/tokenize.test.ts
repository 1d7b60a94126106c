// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${NAME}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CMakeToken, tokenizeCMake } from './tokenize.js';

/** [type, text] pairs, spaces and newlines left out unless `all`. */
function lex(text: string, all = false): Array<[string, string]> {
  return tokenizeCMake(text)
    .filter((t) => all || (t.type !== 'space' && t.type !== 'newline'))
    .map((t) => [t.type, text.slice(t.start, t.end)]);
}

function content(text: string, token: CMakeToken): string {
  return text.slice(token.contentStart, token.contentEnd);
}

describe('tokenizeCMake', () => {
  it('reads a command invocation', () => {
    expect(lex('project(demo LANGUAGES CXX)\n', true)).toEqual([
      ['identifier', 'project'],
      ['paren-left', '('],
      ['identifier', 'demo'],
      ['space', ' '],
      ['identifier', 'LANGUAGES'],
      ['space', ' '],
      ['identifier', 'CXX'],
      ['paren-right', ')'],
      ['newline', '\n'],
    ]);
  });

  it('tells identifiers from unquoted arguments', () => {
    expect(lex('x(_a1 a.b 3d ${X}/y Python3::Interpreter $<TARGET_FILE:t>)')).toEqual([
      ['identifier', 'x'],
      ['paren-left', '('],
      ['identifier', '_a1'],
      ['unquoted', 'a.b'],
      ['unquoted', '3d'],
      ['unquoted', '${X}/y'],
      ['unquoted', 'Python3::Interpreter'],
      ['unquoted', '$<TARGET_FILE:t>'],
      ['paren-right', ')'],
    ]);
  });

  it('reads bracket arguments of any level, closing only on the same level', () => {
    const text = 'message([=[\na ]] b ${X} ]==] c\n]=] tail)';
    const tokens = tokenizeCMake(text);
    const bracket = tokens.find((t) => t.type === 'bracket')!;
    expect(text.slice(bracket.start, bracket.end)).toBe('[=[\na ]] b ${X} ]==] c\n]=]');
    // The newline right after the opening bracket is not content.
    expect(content(text, bracket)).toBe('a ]] b ${X} ]==] c\n');
    expect(lex(text).slice(-2)).toEqual([
      ['identifier', 'tail'],
      ['paren-right', ')'],
    ]);
  });

  it('skips a CRLF right after an opening bracket', () => {
    const text = 'set(A [[\r\nx\r\n]])';
    const bracket = tokenizeCMake(text).find((t) => t.type === 'bracket')!;
    expect(content(text, bracket)).toBe('x\r\n');
  });

  it('reads bracket comments and line comments', () => {
    expect(lex('#[[ python3 -m venv\n ]] set(A 1) # [[ not a bracket\n#[==[x]=]y]==]z()')).toEqual([
      ['bracket-comment', '#[[ python3 -m venv\n ]]'],
      ['identifier', 'set'],
      ['paren-left', '('],
      ['identifier', 'A'],
      ['unquoted', '1'],
      ['paren-right', ')'],
      ['line-comment', '# [[ not a bracket'],
      ['bracket-comment', '#[==[x]=]y]==]'],
      ['identifier', 'z'],
      ['paren-left', '('],
      ['paren-right', ')'],
    ]);
  });

  it('reads quoted arguments with escapes and continuations', () => {
    const text = 'm("a \\"q\\" ${X}\\\nnext" "b")';
    const tokens = tokenizeCMake(text).filter((t) => t.type === 'quoted');
    expect(tokens.map((t) => text.slice(t.start, t.end))).toEqual([
      '"a \\"q\\" ${X}\\\nnext"',
      '"b"',
    ]);
    expect(content(text, tokens[0]!)).toBe('a \\"q\\" ${X}\\\nnext');
  });

  it('keeps escaped spaces, semicolons and parentheses inside one unquoted argument', () => {
    expect(lex('m(a\\ b c\\;d e\\(f\\) \\${x})')).toEqual([
      ['identifier', 'm'],
      ['paren-left', '('],
      ['unquoted', 'a\\ b'],
      ['unquoted', 'c\\;d'],
      ['unquoted', 'e\\(f\\)'],
      ['unquoted', '\\${x}'],
      ['paren-right', ')'],
    ]);
  });

  it('reads the legacy unquoted forms', () => {
    expect(lex('m(-Da="b c" x$(MAKE_VAR)y a"b"c "d")')).toEqual([
      ['identifier', 'm'],
      ['paren-left', '('],
      ['unquoted', '-Da="b c"'],
      ['unquoted', 'x$(MAKE_VAR)y'],
      ['unquoted', 'a"b"c'],
      ['quoted', '"d"'],
      ['paren-right', ')'],
    ]);
  });

  it('reads arguments that start with [ or =', () => {
    expect(lex('m([ [=x =y a[[b]] [)')).toEqual([
      ['identifier', 'm'],
      ['paren-left', '('],
      ['unquoted', '['],
      ['unquoted', '[=x'],
      ['unquoted', '=y'],
      ['unquoted', 'a[[b]]'],
      ['unquoted', '['],
      ['paren-right', ')'],
    ]);
  });

  it('ends an unquoted argument at # and (', () => {
    expect(lex('m(a#b c\nd(e)')).toEqual([
      ['identifier', 'm'],
      ['paren-left', '('],
      ['identifier', 'a'],
      ['line-comment', '#b c'],
      ['identifier', 'd'],
      ['paren-left', '('],
      ['identifier', 'e'],
      ['paren-right', ')'],
    ]);
  });

  it('treats CR as space and a backslash before a newline as a bad character', () => {
    expect(lex('set(A b)\r\nm(x\\\r\ny)', true)).toEqual([
      ['identifier', 'set'],
      ['paren-left', '('],
      ['identifier', 'A'],
      ['space', ' '],
      ['identifier', 'b'],
      ['paren-right', ')'],
      ['space', '\r'],
      ['newline', '\n'],
      ['identifier', 'm'],
      ['paren-left', '('],
      ['identifier', 'x'],
      ['bad-character', '\\'],
      ['space', '\r'],
      ['newline', '\n'],
      ['identifier', 'y'],
      ['paren-right', ')'],
    ]);
  });

  it('ends an unterminated quoted argument at its line and reads on', () => {
    const text = 'message("oops)\nset(A b)\n';
    const tokens = tokenizeCMake(text);
    expect(tokens[2]).toEqual({
      type: 'quoted',
      start: 8,
      end: 14,
      contentStart: 9,
      contentEnd: 14,
      unterminated: true,
    });
    expect(lex(text).slice(3)).toEqual([
      ['identifier', 'set'],
      ['paren-left', '('],
      ['identifier', 'A'],
      ['identifier', 'b'],
      ['paren-right', ')'],
    ]);
  });

  it('ends an unterminated bracket argument or comment at its line', () => {
    expect(lex('m([==[ x ]=]\ny)\n#[[ z\nw()')).toEqual([
      ['identifier', 'm'],
      ['paren-left', '('],
      ['bracket', '[==[ x ]=]'],
      ['identifier', 'y'],
      ['paren-right', ')'],
      ['bracket-comment', '#[[ z'],
      ['identifier', 'w'],
      ['paren-left', '('],
      ['paren-right', ')'],
    ]);
    expect(tokenizeCMake('m([[\n')[2]).toEqual({
      type: 'bracket',
      start: 2,
      end: 4,
      contentStart: 4,
      contentEnd: 4,
      unterminated: true,
    });
  });

  it('returns nothing for an empty text and a bad character for NUL', () => {
    expect(tokenizeCMake('')).toEqual([]);
    expect(lex('\0')).toEqual([['bad-character', '\0']]);
  });

  it('covers any text with tokens in order, never throwing', () => {
    const alphabet = fc.constantFrom(
      ...'ab_1 \t\r\n()#"\\[]=${}<>;:./-$ENV'.split(''),
      '[[',
      ']]',
      '[=[',
      ']=]',
      '#[[',
      '${',
      '\r\n',
      'python3',
    );
    const texts = fc.oneof(
      fc.string(),
      fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const tokens = tokenizeCMake(text);
        let at = 0;
        for (const token of tokens) {
          expect(token.start).toBe(at);
          expect(token.end).toBeGreaterThan(token.start);
          expect(token.contentStart).toBeGreaterThanOrEqual(token.start);
          expect(token.contentEnd).toBeGreaterThanOrEqual(token.contentStart);
          expect(token.contentEnd).toBeLessThanOrEqual(token.end);
          at = token.end;
        }
        expect(at).toBe(text.length);
      }),
      { numRuns: 2000 },
    );
  });
});
