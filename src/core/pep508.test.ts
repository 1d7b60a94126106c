import { describe, expect, it } from 'vitest';
import { normalizeName, parseRequirement, validateMarker } from './pep508.js';

describe('parseRequirement', () => {
  it('parses name, extras, specifier and marker', () => {
    expect(
      parseRequirement('Tree_Sitter[cli, x] >= 0.21 , <0.23 ; python_version >= "3.10"'),
    ).toEqual({
      ok: true,
      requirement: {
        raw: 'Tree_Sitter[cli, x] >= 0.21 , <0.23 ; python_version >= "3.10"',
        name: 'Tree_Sitter',
        normalizedName: 'tree-sitter',
        extras: ['cli', 'x'],
        specifier: '>=0.21,<0.23',
        marker: 'python_version >= "3.10"',
      },
    });
  });

  it('accepts a bare name, a parenthesised specifier, wildcards and URLs', () => {
    expect(parseRequirement('six')).toMatchObject({ ok: true, requirement: { specifier: '' } });
    expect(parseRequirement('six (==1.*)')).toMatchObject({
      ok: true,
      requirement: { specifier: '==1.*' },
    });
    expect(
      parseRequirement('pkg @ https://example.invalid/p.whl ; os_name == "posix"'),
    ).toMatchObject({
      ok: true,
      requirement: { url: 'https://example.invalid/p.whl', marker: 'os_name == "posix"' },
    });
  });

  it.each([
    ['six >>>= 1', "invalid version specifier '>>>= 1' in 'six >>>= 1'"],
    ['', 'empty requirement'],
    ['>=1', "'>=1' does not start with a package name"],
    ['six[', "unclosed '[' in 'six['"],
    ['six >= 1.0.*', "invalid version specifier '>= 1.0.*' in 'six >= 1.0.*'"],
    [
      'six ; bogus_var == "1"',
      `invalid marker in 'six ; bogus_var == "1"': unknown marker variable 'bogus_var'`,
    ],
  ])('rejects %j', (input, error) => {
    expect(parseRequirement(input)).toEqual({ ok: false, error });
  });
});

describe('validateMarker', () => {
  it('accepts and/or/parentheses and "not in"', () => {
    expect(
      validateMarker('(sys_platform == "linux" or sys_platform == "darwin") and "x" not in extra'),
    ).toBeUndefined();
  });
  it('reports a missing closing parenthesis', () => {
    expect(validateMarker('(os_name == "nt"')).toBe("missing ')'");
  });
});

it('normalizes names as PEP 503 does', () => {
  expect(normalizeName('Foo.Bar__baz-Qux')).toBe('foo-bar-baz-qux');
});
