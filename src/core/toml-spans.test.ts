import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layoutToml, lexToml } from './toml-spans.js';

describe('layoutToml', () => {
  it('finds tables, dotted keys and array elements with offsets', () => {
    const text = [
      '# top',
      '[project]',
      'name = "x"',
      '"quoted.key" = 1',
      '[dependency-groups]',
      'a = ["p", \'q\', { include-group = "b" }]',
      'b = """',
      'not = ["an", "array"]',
      '"""',
      '',
    ].join('\n');
    const layout = layoutToml(text);
    expect(layout.tables.map((t) => t.key)).toEqual([['project'], ['dependency-groups']]);
    expect(layout.entries.map((e) => e.key)).toEqual([
      ['project', 'name'],
      ['project', 'quoted.key'],
      ['dependency-groups', 'a'],
      ['dependency-groups', 'b'],
    ]);
    const a = layout.entries[2]!;
    expect(a.elements!.map((e) => [text.slice(e.start, e.end), e.value])).toEqual([
      ['"p"', 'p'],
      ["'q'", 'q'],
      ['{ include-group = "b" }', undefined],
    ]);
    expect(text[a.closeBracket!]).toBe(']');
  });

  it('decodes escapes in basic strings', () => {
    expect(lexToml('"a\\"b\\u00e9"')[0]!.value).toBe('a"bé');
  });

  it('never throws and keeps spans in bounds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const layout = layoutToml(text);
        for (const entry of layout.entries) {
          expect(entry.keyStart).toBeGreaterThanOrEqual(0);
          expect(entry.valueEnd).toBeLessThanOrEqual(text.length);
          for (const element of entry.elements ?? []) {
            expect(element.start).toBeLessThanOrEqual(element.end);
            expect(element.end).toBeLessThanOrEqual(text.length);
          }
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
