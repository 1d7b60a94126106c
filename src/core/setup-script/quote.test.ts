import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pyLiteral, pyRawString, shQuote } from './quote.js';

/** Strings the way file names and config values come: any text without NUL. */
const text = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .map((s) => s.replace(/\0/g, ''))
  .filter((s) => !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')));

const hostile = [
  '',
  "it's",
  '"$(touch x)"',
  '`id`',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, on purpose
  '$HOME ${PATH} $1',
  'back\\slash\\',
  "''''",
  'new\nline\ttab',
  'ünï côdé 🐍',
];

describe('shQuote', () => {
  it('sh reads back exactly the value, whatever it holds', () => {
    const values = [...hostile, ...fc.sample(text, { numRuns: 300, seed: 42 })];
    const script = `printf '%s\\0' ${values.map(shQuote).join(' ')}`;
    for (const shell of ['dash', 'bash']) {
      const out = execFileSync(shell, ['-c', script], { encoding: 'utf8' });
      expect(out.split('\0').slice(0, -1)).toEqual(values);
    }
  });

  it('quotes every value as one word', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(shQuote('$x')).toBe(`'$x'`);
  });
});

describe('pyLiteral', () => {
  it('Python reads back the same data', () => {
    const strings = [...hostile, ...fc.sample(text, { numRuns: 300, seed: 7 })];
    const value = {
      strings,
      nested: [{ a: null, b: true, c: false, d: 12 }, []],
      empty: {},
    };
    const out = execFileSync(
      'python3',
      ['-c', 'import ast, json, sys; print(json.dumps(ast.literal_eval(sys.stdin.read())))'],
      { input: pyLiteral(value), encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual(value);
  });

  it('puts long values one item per line', () => {
    expect(pyLiteral(['a'.repeat(50), 'b'.repeat(50)])).toBe(
      `[\n    "${'a'.repeat(50)}",\n    "${'b'.repeat(50)}",\n]`,
    );
    expect(pyLiteral({ k: ['x'] })).toBe('{"k": ["x"]}');
    expect(pyLiteral(null)).toBe('None');
  });

  it('refuses what is not JSON-shaped', () => {
    expect(() => pyLiteral(1.5)).toThrow('not an integer: 1.5');
    expect(() => pyLiteral(() => 1)).toThrow('no Python literal for function');
  });
});

describe('pyRawString', () => {
  it('holds Python source exactly, and refuses what a raw string cannot hold', () => {
    const source = 'print("a\\nb")\nx = r"\\d"\n';
    const out = execFileSync(
      'python3',
      ['-c', `import sys; sys.stdout.write(${pyRawString(source)})`],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toBe(source);
    expect(() => pyRawString("x = '''")).toThrow();
    expect(() => pyRawString('ends with \\')).toThrow();
  });
});
