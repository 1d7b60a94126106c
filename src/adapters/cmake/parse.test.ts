// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${NAME}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CMakeCommand, decodeEscapes, parseCMake } from './parse.js';
import { variableReferences } from './variables.js';

/** name(values…) per command, with a trailing `!` when recovered. */
function outline(text: string): string[] {
  return parseCMake(text).commands.map(
    (c: CMakeCommand) =>
      `${c.name}(${c.arguments.map((a) => a.value).join('|')})${c.recovered ? '!' : ''}`,
  );
}

describe('parseCMake', () => {
  it('reads commands with every kind of argument', () => {
    const text = [
      'cmake_minimum_required(VERSION 3.20)',
      'add_custom_target(doc ALL',
      '  COMMAND "${Python3_EXECUTABLE}" [[x.py]] # a comment',
      '  #[[ a bracket comment ]] --out a\\ b',
      ')',
      '',
    ].join('\n');
    const { commands, errors } = parseCMake(text);
    expect(errors).toEqual([]);
    expect(commands.map((c) => [c.name, c.id, text.slice(c.start, c.end)])).toEqual([
      ['cmake_minimum_required', 'cmake_minimum_required', 'cmake_minimum_required(VERSION 3.20)'],
      [
        'add_custom_target',
        'add_custom_target',
        text.slice(text.indexOf('add_custom_target'), text.lastIndexOf(')') + 1),
      ],
    ]);
    expect(
      commands[1]!.arguments.map((a) => [
        a.kind,
        text.slice(a.start, a.end),
        text.slice(a.valueStart, a.valueEnd),
        a.value,
      ]),
    ).toEqual([
      ['unquoted', 'doc', 'doc', 'doc'],
      ['unquoted', 'ALL', 'ALL', 'ALL'],
      ['unquoted', 'COMMAND', 'COMMAND', 'COMMAND'],
      ['quoted', '"${Python3_EXECUTABLE}"', '${Python3_EXECUTABLE}', '${Python3_EXECUTABLE}'],
      ['bracket', '[[x.py]]', 'x.py', 'x.py'],
      ['unquoted', '--out', '--out', '--out'],
      ['unquoted', 'a\\ b', 'a\\ b', 'a b'],
    ]);
  });

  it('keeps nested parentheses as arguments with their depth', () => {
    const [command] = parseCMake('if((A OR B) AND NOT (C))').commands;
    expect(command!.arguments.map((a) => [a.kind, a.value, a.depth])).toEqual([
      ['paren', '(', 0],
      ['unquoted', 'A', 1],
      ['unquoted', 'OR', 1],
      ['unquoted', 'B', 1],
      ['paren', ')', 0],
      ['unquoted', 'AND', 0],
      ['unquoted', 'NOT', 0],
      ['paren', '(', 0],
      ['unquoted', 'C', 1],
      ['paren', ')', 0],
    ]);
  });

  it('is case-insensitive about command names and allows space before (', () => {
    expect(parseCMake('FIND_PACKAGE (Python3)').commands.map((c) => c.id)).toEqual([
      'find_package',
    ]);
  });

  it('returns nothing for an empty file or one with only comments', () => {
    expect(parseCMake('')).toEqual({ commands: [], errors: [] });
    expect(parseCMake('# set(A b)\n#[[ set(B c) ]]\n')).toEqual({ commands: [], errors: [] });
  });

  it('recovers from a command whose ) never comes, flagging what follows', () => {
    const text = 'set(A 1)\nfind_package(Python3 REQUIRED\n  COMPONENTS Interpreter\nset(B 2)\n';
    expect(outline(text)).toEqual([
      'set(A|1)',
      'find_package(Python3|REQUIRED|COMPONENTS|Interpreter)!',
      'set(B|2)!',
    ]);
    const result = parseCMake(text);
    expect(result.errors).toEqual([{ offset: 9, message: 'find_package( has no closing ")"' }]);
    const broken = result.commands[1]!;
    expect(text.slice(broken.start, broken.end)).toBe(
      'find_package(Python3 REQUIRED\n  COMPONENTS Interpreter',
    );
    expect(broken.close).toBe(-1);
  });

  it('reports stray text, a missing newline and an unterminated quote', () => {
    expect(parseCMake('oops\nset(A 1)').errors).toEqual([
      { offset: 0, message: 'expected "(" after oops' },
    ]);
    expect(parseCMake('"x"\n').errors).toEqual([
      { offset: 0, message: 'expected a command name, got quoted' },
    ]);
    expect(outline('set(A 1) set(B 2)')).toEqual(['set(A|1)', 'set(B|2)!']);
    expect(outline('message("oops)\nset(B 2)\n')).toEqual(['message(oops))!', 'set(B|2)!']);
  });

  it('decodes escapes as CMake does', () => {
    expect(decodeEscapes('a\\ b\\;c\\td\\"e\\$f', false)).toBe('a b\\;c\td"e$f');
    expect(decodeEscapes('line\\\r\nnext\r\nend', true)).toBe('linenext\nend');
  });

  it('never throws and keeps arguments inside their command, in order', () => {
    const alphabet = fc.constantFrom(
      ...'ab_ \n()#"\\[]=${}'.split(''),
      'set(',
      'if(',
      ')',
      '[[',
      ']]',
      '\r\n',
      '${X}',
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')),
        (text) => {
          const { commands } = parseCMake(text);
          let at = 0;
          for (const command of commands) {
            expect(command.start).toBeGreaterThanOrEqual(at);
            expect(command.end).toBeLessThanOrEqual(text.length);
            let inner = command.open + 1;
            for (const argument of command.arguments) {
              expect(argument.start).toBeGreaterThanOrEqual(inner);
              expect(argument.end).toBeLessThanOrEqual(command.end);
              inner = argument.end;
            }
            at = command.end;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('variableReferences', () => {
  function refs(text: string) {
    return variableReferences(text, 0, text.length).map((r) => [
      r.namespace,
      r.name,
      text.slice(r.start, r.end),
      r.nested,
    ]);
  }

  it('finds plain, ENV, CACHE and nested references', () => {
    expect(refs('${A}/$ENV{HOME}/$CACHE{C}/${x_${y}}')).toEqual([
      ['', 'A', '${A}', false],
      ['ENV', 'HOME', '$ENV{HOME}', false],
      ['CACHE', 'C', '$CACHE{C}', false],
      ['', 'y', '${y}', false],
      ['', 'x_${y}', '${x_${y}}', true],
    ]);
  });

  it('ignores escaped dollars, unclosed references and generator expressions', () => {
    expect(refs('\\${A} $<TARGET_FILE:t> $(MAKE) ${B')).toEqual([]);
    expect(refs('${a ${b}')).toEqual([['', 'b', '${b}', false]]);
  });
});
